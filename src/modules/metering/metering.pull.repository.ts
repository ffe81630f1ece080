/** The watermarks of the Prometheus pull (usage_pull_watermarks): SQL of metering.pull.ts. */
import type { Tx } from '../../db/tx.js';

/** The watermarks of a source: meter → end of the last hour pulled. */
export async function readWatermarks(tx: Tx, source: string): Promise<Map<string, Date>> {
  const rows = await tx.db
    .selectFrom('usage_pull_watermarks')
    .select(['meter_key', 'pulled_until'])
    .where('source', '=', source)
    .execute();
  return new Map(rows.map((r) => [r.meter_key, new Date(r.pulled_until)]));
}

/**
 * Moves a source's and meter's watermark to `until` (never backwards: a slower overlapping run does not
 * undo a newer one) and adds the samples whose label named no member.
 */
export async function advanceWatermark(
  tx: Tx,
  source: string,
  meter: string,
  until: Date,
  unknownCount: number,
  unknownLabels: string[],
): Promise<void> {
  await tx.db
    .insertInto('usage_pull_watermarks')
    .values({
      source,
      meter_key: meter,
      pulled_until: until,
      unknown_samples: unknownCount,
      last_unknown_labels: unknownLabels,
    })
    .onConflict((oc) =>
      oc.columns(['source', 'meter_key']).doUpdateSet((eb) => ({
        pulled_until: eb.fn('greatest', [
          'usage_pull_watermarks.pulled_until',
          eb.ref('excluded.pulled_until'),
        ]),
        unknown_samples: eb('usage_pull_watermarks.unknown_samples', '+', unknownCount),
        last_unknown_labels:
          unknownCount > 0 ? unknownLabels : eb.ref('usage_pull_watermarks.last_unknown_labels'),
        updated_at: new Date(),
      })),
    )
    .execute();
}
