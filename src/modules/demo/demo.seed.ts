/**
 * Loads the demo: the association, its members (real facts, example contact data), the Ämter's
 * municipalities, and one demo account per role. Runs through the same services as the UI, so the demo
 * is audited like real work.
 */
import type { Database } from '../../db/database.js';
import type { Role } from '../../db/schema.js';
import { runInTx } from '../../db/tx.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../../shared/context.js';
import { leitwegCheckDigits } from '../../shared/identifiers.js';
import { recordAudit } from '../audit/audit.service.js';
import { seedDemoAgreements } from '../catalog/agreements.service.js';
import { seedDemoCatalog } from '../catalog/catalog.service.js';
import { seedDemoAssembly } from '../governance/governance.service.js';
import {
  associationExists,
  changeMemberStatus,
  createMember,
  establishAssociation,
} from '../members/members.service.js';
import { DEMO_USAGE_MEMBERS, seedDemoUsage } from '../metering/metering.service.js';
import { seedDemoAccountUsage } from '../people/accounts.usage.service.js';
import { createPerson } from '../people/people.service.js';
import { DEMO_AMT_MUNICIPALITIES, DEMO_ASSOCIATION, DEMO_MEMBERS } from './demo.data.js';

/** The password of every demo account. Shown on the console and the login page in demo mode only. */
export const DEMO_PASSWORD = 'Allmende-Demo-2026';

export interface DemoAccount {
  email: string;
  displayName: string;
  role: Role;
  member: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    email: 'verband.admin@dikom.example',
    displayName: 'Andrea Albrecht (Demo)',
    role: 'association_admin',
    member: DEMO_ASSOCIATION.name,
  },
  {
    email: 'verband.finanzen@dikom.example',
    displayName: 'Frank Fiedler (Demo)',
    role: 'association_finance',
    member: DEMO_ASSOCIATION.name,
  },
  {
    email: 'pruefung@dikom.example',
    displayName: 'Petra Prüfer (Demo)',
    role: 'auditor',
    member: DEMO_ASSOCIATION.name,
  },
  {
    email: 'admin@panketal.example',
    displayName: 'Paul Panke (Demo)',
    role: 'member_admin',
    member: 'Panketal',
  },
  {
    email: 'sachbearbeitung@bad-belzig.example',
    displayName: 'Bianca Belz (Demo)',
    role: 'member_clerk',
    member: 'Bad Belzig',
  },
  {
    email: 'sachbearbeitung@amt-niemegk.example',
    displayName: 'Nils Niemann (Demo)',
    role: 'member_clerk',
    member: 'Amt Niemegk',
  },
];

/** Example contact data for the three pilot municipalities of the dog-tax online service. */
const PILOT_CONTACTS: Record<
  string,
  {
    contactName: string;
    contactEmail: string;
    contactPhone: string;
    street: string;
    postalCode: string;
    city: string;
  }
> = {
  Panketal: {
    contactName: 'Hauptamt, IT-Koordination (Beispiel)',
    contactEmail: 'it@panketal.example',
    contactPhone: '030 0000000',
    street: 'Schönerlinder Straße 47 (Beispiel)',
    postalCode: '16341',
    city: 'Panketal',
  },
  'Bad Belzig': {
    contactName: 'Hauptamt, IT (Beispiel)',
    contactEmail: 'it@bad-belzig.example',
    contactPhone: '033841 00000',
    street: 'Wiesenburger Straße 6 (Beispiel)',
    postalCode: '14806',
    city: 'Bad Belzig',
  },
  'Amt Niemegk': {
    contactName: 'Amtsverwaltung, IT (Beispiel)',
    contactEmail: 'it@amt-niemegk.example',
    contactPhone: '033843 00000',
    street: 'Großstraße 6 (Beispiel)',
    postalCode: '14823',
    city: 'Niemegk',
  },
};

function exampleLeitwegId(key: string | null): string | null {
  if (!key) return null;
  const body = `${key.slice(0, 12)}-BEISPIEL`;
  return `${body}-${leitwegCheckDigits(body)}`;
}

export interface SeedResult {
  seeded: boolean;
  members: number;
  accounts: readonly DemoAccount[];
}

export async function seedDemo(database: Database): Promise<SeedResult> {
  const ctx = systemCtx('demo-seed', ALL_MEMBERS_WRITE);
  const result = await runInTx(database, ctx, async (tx) => {
    if (await associationExists(tx)) return { seeded: false, members: 0 };
    const byName = new Map<string, string>();
    // The association: tenant zero.
    const assoc = await createMember(tx, {
      name: DEMO_ASSOCIATION.name,
      kind: DEMO_ASSOCIATION.kind,
      street: DEMO_ASSOCIATION.street,
      postalCode: DEMO_ASSOCIATION.postalCode,
      city: DEMO_ASSOCIATION.city,
      website: DEMO_ASSOCIATION.website,
      appliedOn: DEMO_ASSOCIATION.admittedOn,
    });
    await establishAssociation(tx, assoc.id, DEMO_ASSOCIATION.admittedOn);
    byName.set(assoc.name, assoc.id);
    let count = 1;
    for (const m of DEMO_MEMBERS) {
      const contact = PILOT_CONTACTS[m.name] ?? {};
      const created = await createMember(tx, {
        name: m.name,
        kind: m.kind,
        ags: m.ags,
        ars: m.ars,
        leitwegId: exampleLeitwegId(m.ars ?? m.ags),
        population: m.population,
        populationYear: m.populationYear,
        appliedOn: m.appliedOn,
        ...contact,
      });
      if (m.status === 'active' && m.admittedOn) {
        await changeMemberStatus(tx, created.id, {
          status: 'active',
          on: m.admittedOn,
          version: created.version,
        });
      }
      byName.set(m.name, created.id);
      count++;
    }
    for (const g of DEMO_AMT_MUNICIPALITIES) {
      const amtId = byName.get(g.amt);
      if (!amtId) throw new Error(`demo data: unknown Amt ${g.amt}`);
      const amt = DEMO_MEMBERS.find((m) => m.name === g.amt)!;
      const created = await createMember(tx, {
        name: g.name,
        kind: g.kind,
        ags: g.ags,
        ars: g.ars,
        population: g.population,
        populationYear: g.populationYear,
        amtId,
        appliedOn: amt.appliedOn,
      });
      if (amt.admittedOn)
        await changeMemberStatus(tx, created.id, {
          status: 'active',
          on: amt.admittedOn,
          version: created.version,
        });
      count++;
    }
    for (const a of DEMO_ACCOUNTS) {
      await createPerson(
        tx,
        byName.get(a.member)!,
        { email: a.email, displayName: a.displayName, roles: [a.role] },
        { initialPassword: DEMO_PASSWORD, mustChangePassword: false },
      );
    }
    // The catalogue (version 1.0 with example prices), belonging to the association; version 2.0 is
    // adopted by the demo assembly of 11 March 2021, which also admits seven members.
    await seedDemoCatalog(tx);
    await seedDemoAssembly(tx, byName);
    await seedDemoAgreements(tx, byName);
    // Three months of usage of the pilot members on the catalogue's meters ([5/7]).
    await seedDemoUsage(tx, byName);
    // Allmende's own meter: the pilot members' accounts per day over the same months.
    await seedDemoAccountUsage(
      tx,
      DEMO_USAGE_MEMBERS.map((n) => byName.get(n)!),
    );
    recordAudit(tx, {
      action: 'demo.seeded',
      memberId: assoc.id,
      objectType: 'instance',
      details: { members: count },
    });
    return { seeded: true, members: count };
  });
  if (result.seeded) {
    await database.withOwnerSession((s) =>
      s.query(
        `insert into instance_settings (key, value) values ('demo', 'seeded') on conflict (key) do update set value = excluded.value, updated_at = now()`,
      ),
    );
  }
  return { ...result, accounts: DEMO_ACCOUNTS };
}
