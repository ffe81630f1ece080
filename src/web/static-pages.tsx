/**
 * Legal pages every German public website needs: imprint, privacy notice, accessibility statement; and
 * the favicon at the address every browser asks for.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawHtml } from './jsx/jsx-runtime.js';
import { sendPage } from './page.js';
import { sendPublicPage } from './public-layout.js';

/** Visitors read the legal pages in the public layout; people at work keep their staff layout. */
function send(req: FastifyRequest, reply: FastifyReply, opts: { title: string; body: RawHtml }) {
  return req.principal ? sendPage(req, reply, opts) : sendPublicPage(req, reply, opts);
}

export async function staticPages(app: FastifyInstance): Promise<void> {
  // Browsers and other clients ask for /favicon.ico on their own; the pages link it and the SVG.
  app.get('/favicon.ico', (_req, reply) =>
    reply.header('cache-control', 'public, max-age=604800').sendFile('favicon.ico', { maxAge: '7d' }),
  );

  app.get('/impressum', async (req, reply) => {
    const de = req.lang === 'de';
    return send(req, reply, {
      title: req.t('footer.imprint'),
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">{req.t('footer.imprint')}</h1>
          <p class="kern-body">
            {de ? 'Angaben gemäß § 5 DDG und § 18 MStV' : 'Information pursuant to § 5 DDG and § 18 MStV'}
          </p>
          <h2 class="kern-heading-medium">{de ? 'Herausgeber' : 'Publisher'}</h2>
          <p class="kern-body">
            Zweckverband Digitale Kommunen Brandenburg (DIKOM)
            <br />
            {de ? 'Körperschaft des öffentlichen Rechts' : 'Public-law corporation'}
            <br />
            Karl-Marx-Straße 67 (Beispieladresse), 03044 Cottbus/Chóśebuz
          </p>
          <h2 class="kern-heading-medium">{de ? 'Vertreten durch' : 'Represented by'}</h2>
          <p class="kern-body">
            {de ? 'den Verbandsvorsteher' : 'the chair of the association (Verbandsvorsteher)'}
          </p>
          <h2 class="kern-heading-medium">{de ? 'Aufsichtsbehörde' : 'Supervisory authority'}</h2>
          <p class="kern-body">
            {de
              ? 'Ministerium des Innern und für Kommunales des Landes Brandenburg (Kommunalaufsicht)'
              : 'Ministry of the Interior and Municipal Affairs of the State of Brandenburg'}
          </p>
          <p class="kern-body kern-body--muted">
            {de
              ? 'Hinweis: Diese Installation ist eine Demonstration der Software Allmende. Adressangaben sind Beispielwerte.'
              : 'Note: this installation demonstrates the Allmende software. Addresses are example values.'}
          </p>
        </div>
      ),
    });
  });

  app.get('/datenschutz', async (req, reply) => {
    const de = req.lang === 'de';
    return send(req, reply, {
      title: req.t('footer.privacy'),
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">{req.t('footer.privacy')}</h1>
          <h2 class="kern-heading-medium">{de ? 'Verantwortlicher' : 'Controller'}</h2>
          <p class="kern-body">Zweckverband Digitale Kommunen Brandenburg, Cottbus/Chóśebuz</p>
          <h2 class="kern-heading-medium">{de ? 'Welche Daten wir verarbeiten' : 'What we process'}</h2>
          <ul class="kern-list kern-list--bullet">
            <li>
              {de
                ? 'Dienstliche Konten: Name, dienstliche E-Mail-Adresse, Rollen, Zeitpunkt der letzten Anmeldung (Art. 6 Abs. 1 lit. e DSGVO).'
                : 'Staff accounts: name, work e-mail address, roles, time of last login (Art. 6(1)(e) GDPR).'}
            </li>
            <li>
              {de
                ? 'Sitzungen: ein zufälliges Sitzungsmerkmal im Cookie; gespeichert wird nur dessen Hash. Es gibt keine Analyse- oder Werbe-Cookies.'
                : 'Sessions: a random session token in a cookie; only its hash is stored. There are no analytics or advertising cookies.'}
            </li>
            <li>
              {de
                ? 'Prüfpfad: jede Änderung und jeder Abruf personenbezogener Daten wird mit Kennung der handelnden Person und einem Hashwert der Daten protokolliert – ohne die Daten selbst.'
                : 'Audit trail: every change and every read of personal data is recorded with the id of the acting person and a hash of the data – never the data itself.'}
            </li>
            <li>
              {de
                ? 'Server-Protokolle enthalten keine IP-Adressen, Suchbegriffe oder Cookies.'
                : 'Server logs contain no IP addresses, search terms or cookies.'}
            </li>
          </ul>
          <h2 class="kern-heading-medium">{de ? 'Ihre Rechte' : 'Your rights'}</h2>
          <p class="kern-body">
            {de
              ? 'Sie haben das Recht auf Auskunft (Art. 15), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung (Art. 18) und Widerspruch (Art. 21 DSGVO) sowie das Recht auf Beschwerde bei der Landesbeauftragten für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg.'
              : 'You have the right of access (Art. 15), rectification (Art. 16), erasure (Art. 17), restriction (Art. 18) and objection (Art. 21 GDPR), and the right to lodge a complaint with the Brandenburg data protection commissioner.'}
          </p>
        </div>
      ),
    });
  });

  app.get('/barrierefreiheit', async (req, reply) => {
    const de = req.lang === 'de';
    return send(req, reply, {
      title: req.t('footer.accessibility'),
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">
            {de ? 'Erklärung zur Barrierefreiheit' : 'Accessibility statement'}
          </h1>
          <p class="kern-body">
            {de
              ? 'Der Zweckverband Digitale Kommunen Brandenburg ist bemüht, Allmende im Einklang mit dem Brandenburgischen Behindertengleichstellungsgesetz (BbgBGG) und der Brandenburgischen Barrierefreie Informationstechnik-Verordnung (BbgBITV) in Verbindung mit der BITV 2.0 barrierefrei zugänglich zu machen.'
              : 'The association strives to make Allmende accessible in accordance with the Brandenburg disability equality act (BbgBGG) and the Brandenburg accessible IT ordinance (BbgBITV) together with BITV 2.0.'}
          </p>
          <h2 class="kern-heading-medium">{de ? 'Stand der Vereinbarkeit' : 'Compliance status'}</h2>
          <p class="kern-body">
            {de
              ? 'Diese Website ist mit den Anforderungen der WCAG 2.1 Stufe AA weitgehend vereinbar. Jede Seite wird bei jeder Änderung automatisiert mit axe-core geprüft; die Seiten funktionieren ohne JavaScript, sind vollständig per Tastatur bedienbar und nutzen das Designsystem KERN UX.'
              : 'This website largely complies with WCAG 2.1 level AA. Every page is checked automatically with axe-core on every change; pages work without JavaScript, are fully keyboard operable and use the KERN UX design system.'}
          </p>
          <h2 class="kern-heading-medium">{de ? 'Nicht barrierefreie Inhalte' : 'Non-accessible content'}</h2>
          <p class="kern-body">
            {de
              ? 'Derzeit sind keine Inhalte bekannt, die nicht barrierefrei sind. Die API-Dokumentation (/api/docs) ist eine gewöhnliche Seite dieser Website; die Beschreibungen der einzelnen Schnittstellen darin sind englisch.'
              : 'No inaccessible content is known at present. The API documentation (/api/docs) is an ordinary page of this website; the descriptions of its endpoints are in English.'}
          </p>
          <h2 class="kern-heading-medium">
            {de ? 'Erstellung dieser Erklärung' : 'Preparation of this statement'}
          </h2>
          <p class="kern-body">
            {de
              ? 'Diese Erklärung wurde am 23.11.2026 auf Grundlage einer Selbstbewertung erstellt und zuletzt am 02.12.2026 überprüft.'
              : 'This statement was prepared on 23 Nov 2026 based on a self-assessment and last reviewed on 2 Dec 2026.'}
          </p>
          <h2 class="kern-heading-medium">{de ? 'Feedback und Kontakt' : 'Feedback and contact'}</h2>
          <p class="kern-body">
            {de
              ? 'Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Schreiben Sie uns: barrierefreiheit@dikom.example (Beispieladresse).'
              : 'Have you noticed barriers? Write to us: barrierefreiheit@dikom.example (example address).'}
          </p>
          <h2 class="kern-heading-medium">{de ? 'Durchsetzungsverfahren' : 'Enforcement procedure'}</h2>
          <p class="kern-body">
            {de
              ? 'Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, können Sie sich an die Durchsetzungsstelle beim Landesbeauftragten für die Belange der Menschen mit Behinderungen des Landes Brandenburg wenden.'
              : 'If you do not receive a satisfactory answer, you can contact the enforcement body of the Brandenburg commissioner for the concerns of people with disabilities.'}
          </p>
        </div>
      ),
    });
  });
}
