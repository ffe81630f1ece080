/**
 * Demo data: the members of the Zweckverband Digitale Kommunen Brandenburg (DIKOM).
 * Facts (names, kinds, AGS/ARS, Zensus 2022 population, founding date 2020-04-09) were copied from
 * public sources: Verbandssatzung (schoenwalde-glien.de, 2020), Zensus 2022 table 1000A-0000
 * (Statistische Ämter des Bundes und der Länder, Stichtag 2022-05-15), GV100 for the Amt keys,
 * kommune21.de / MAZ / cottbus.de press reports for later accessions. `source` says how sure each date is.
 * Addresses, contacts and Leitweg-IDs are EXAMPLE values (Feinadressierung "BEISPIEL") and are marked
 * as such in the UI.
 */
import type { MemberKind, MemberStatus } from '../../db/schema.js';

export interface DemoMember {
  name: string;
  kind: MemberKind;
  ags: string | null;
  ars: string | null;
  population: number | null;
  populationYear: number | null;
  status: MemberStatus;
  appliedOn: string;
  admittedOn: string | null;
  source: string;
}

export interface DemoAmtMunicipality {
  amt: string;
  name: string;
  kind: MemberKind;
  ags: string;
  ars: string;
  population: number;
  populationYear: number;
}

export const DEMO_ASSOCIATION = {
  name: 'Zweckverband Digitale Kommunen Brandenburg',
  kind: 'verband' as MemberKind,
  street: 'Karl-Marx-Straße 67 (Beispieladresse)',
  postalCode: '03044',
  city: 'Cottbus/Chóśebuz',
  admittedOn: '2020-04-09',
  website: 'https://www.dikom-bb.de',
};

export const DEMO_MEMBERS: DemoMember[] = [
  {"name": "Angermünde", "kind": "stadt", "ags": "12073008", "ars": "120730008008", "population": 14244, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Bad Belzig", "kind": "stadt", "ags": "12069020", "ars": "120690020020", "population": 10996, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Cottbus/Chóśebuz", "kind": "stadt", "ags": "12052000", "ars": "120520000000", "population": 93926, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Hohen Neuendorf", "kind": "stadt", "ags": "12065144", "ars": "120650144144", "population": 26551, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Kyritz", "kind": "stadt", "ags": "12068264", "ars": "120680264264", "population": 9175, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Oranienburg", "kind": "stadt", "ags": "12065256", "ars": "120650256256", "population": 47608, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Premnitz", "kind": "stadt", "ags": "12063244", "ars": "120630244244", "population": 8240, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Senftenberg", "kind": "stadt", "ags": "12066304", "ars": "120660304304", "population": 23777, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Wittenberge", "kind": "stadt", "ags": "12070424", "ars": "120700424424", "population": 16829, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Eichwalde", "kind": "gemeinde", "ags": "12061112", "ars": "120610112112", "population": 6396, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Fehrbellin", "kind": "gemeinde", "ags": "12068117", "ars": "120680117117", "population": 8971, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Nuthetal", "kind": "gemeinde", "ags": "12069454", "ars": "120690454454", "population": 9155, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Schönwalde-Glien", "kind": "gemeinde", "ags": "12063273", "ars": "120630273273", "population": 10447, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Schwielowsee", "kind": "gemeinde", "ags": "12069590", "ars": "120690590590", "population": 10707, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Wusterhausen/Dosse", "kind": "gemeinde", "ags": "12068477", "ars": "120680477477", "population": 5727, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Amt Lebus", "kind": "amt", "ags": null, "ars": "120645406", "population": 6033, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Amt Neustadt (Dosse)", "kind": "amt", "ags": null, "ars": "120685805", "population": 7605, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Amt Neuzelle", "kind": "amt", "ags": null, "ars": "120675705", "population": 6470, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Amt Rhinow", "kind": "amt", "ags": null, "ars": "120635309", "population": 4556, "populationYear": 2022, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Städte- und Gemeindebund Brandenburg", "kind": "verband", "ags": null, "ars": null, "population": null, "populationYear": null, "status": "active", "appliedOn": "2020-04-09", "admittedOn": "2020-04-09", "source": "Gründungsmitglied laut Verbandssatzung (2020-04-09)"},
  {"name": "Amt Kleine Elster (Niederlausitz)", "kind": "amt", "ags": null, "ars": "120625205", "population": 5350, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Amt Lindow (Mark)", "kind": "amt", "ags": null, "ars": "120685804", "population": 4619, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Amt Niemegk", "kind": "amt", "ags": null, "ars": "120695910", "population": 4657, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Heideblick", "kind": "gemeinde", "ags": "12061219", "ars": "120610219219", "population": 3575, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Panketal", "kind": "gemeinde", "ags": "12060181", "ars": "120600181181", "population": 21028, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Altlandsberg", "kind": "stadt", "ags": "12064029", "ars": "120640029029", "population": 9596, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Fürstenberg/Havel", "kind": "stadt", "ags": "12065084", "ars": "120650084084", "population": 5820, "populationYear": 2022, "status": "applied", "appliedOn": "2020-05-08", "admittedOn": null, "source": "Beitritt 2020 in Vorbereitung (kommune21.de); kein Nachweis der Mitgliedschaft"},
  {"name": "Märkische Heide", "kind": "gemeinde", "ags": "12061329", "ars": "120610329329", "population": 3818, "populationYear": 2022, "status": "active", "appliedOn": "2020-05-20", "admittedOn": "2020-05-20", "source": "Aufnahme auf der Tagesordnung der konstituierenden Verbandsversammlung am 2020-05-20 (Datum unbestätigt)"},
  {"name": "Bernau bei Berlin", "kind": "stadt", "ags": "12060020", "ars": "120600020020", "population": 43164, "populationYear": 2022, "status": "applied", "appliedOn": "2020-05-08", "admittedOn": null, "source": "Beitritt 2020 in Vorbereitung (kommune21.de); kein Nachweis der Mitgliedschaft"},
  {"name": "Rüdersdorf bei Berlin", "kind": "gemeinde", "ags": "12064428", "ars": "120640428428", "population": 15435, "populationYear": 2022, "status": "applied", "appliedOn": "2020-05-08", "admittedOn": null, "source": "Beitritt 2020 in Vorbereitung (kommune21.de); kein Nachweis der Mitgliedschaft"},
  {"name": "Landeshauptstadt Potsdam", "kind": "stadt", "ags": "12054000", "ars": "120540000000", "population": 182806, "populationYear": 2022, "status": "active", "appliedOn": "2021-01-01", "admittedOn": "2021-02-01", "source": "Mitgliedschaft laut Pressemitteilung Cottbus 2021-02 bestätigt; Beitrittsdatum unbestätigt (Beispielwert)"},
];

export const DEMO_AMT_MUNICIPALITIES: DemoAmtMunicipality[] = [
  {"amt": "Amt Niemegk", "name": "Mühlenfließ", "kind": "gemeinde", "ags": "12069402", "ars": "120695910402", "population": 912, "populationYear": 2022},
  {"amt": "Amt Niemegk", "name": "Niemegk", "kind": "stadt", "ags": "12069448", "ars": "120695910448", "population": 2014, "populationYear": 2022},
  {"amt": "Amt Niemegk", "name": "Planetal", "kind": "gemeinde", "ags": "12069474", "ars": "120695910474", "population": 894, "populationYear": 2022},
  {"amt": "Amt Niemegk", "name": "Rabenstein/Fläming", "kind": "gemeinde", "ags": "12069485", "ars": "120695910485", "population": 837, "populationYear": 2022},
  {"amt": "Amt Lebus", "name": "Lebus", "kind": "stadt", "ags": "12064268", "ars": "120645406268", "population": 3100, "populationYear": 2022},
  {"amt": "Amt Lebus", "name": "Podelzig", "kind": "gemeinde", "ags": "12064388", "ars": "120645406388", "population": 853, "populationYear": 2022},
  {"amt": "Amt Lebus", "name": "Reitwein", "kind": "gemeinde", "ags": "12064420", "ars": "120645406420", "population": 451, "populationYear": 2022},
  {"amt": "Amt Lebus", "name": "Treplin", "kind": "gemeinde", "ags": "12064480", "ars": "120645406480", "population": 361, "populationYear": 2022},
  {"amt": "Amt Lebus", "name": "Zeschdorf", "kind": "gemeinde", "ags": "12064539", "ars": "120645406539", "population": 1268, "populationYear": 2022},
  {"amt": "Amt Neustadt (Dosse)", "name": "Breddin", "kind": "gemeinde", "ags": "12068052", "ars": "120685805052", "population": 889, "populationYear": 2022},
  {"amt": "Amt Neustadt (Dosse)", "name": "Dreetz (Landkreis Ostprignitz-Ruppin)", "kind": "gemeinde", "ags": "12068109", "ars": "120685805109", "population": 1137, "populationYear": 2022},
  {"amt": "Amt Neustadt (Dosse)", "name": "Neustadt (Dosse)", "kind": "stadt", "ags": "12068324", "ars": "120685805324", "population": 3412, "populationYear": 2022},
  {"amt": "Amt Neustadt (Dosse)", "name": "Sieversdorf-Hohenofen", "kind": "gemeinde", "ags": "12068409", "ars": "120685805409", "population": 697, "populationYear": 2022},
  {"amt": "Amt Neustadt (Dosse)", "name": "Stüdenitz-Schönermark", "kind": "gemeinde", "ags": "12068417", "ars": "120685805417", "population": 575, "populationYear": 2022},
  {"amt": "Amt Neustadt (Dosse)", "name": "Zernitz-Lohm", "kind": "gemeinde", "ags": "12068501", "ars": "120685805501", "population": 895, "populationYear": 2022},
  {"amt": "Amt Neuzelle", "name": "Lawitz", "kind": "gemeinde", "ags": "12067292", "ars": "120675705292", "population": 572, "populationYear": 2022},
  {"amt": "Amt Neuzelle", "name": "Neißemünde", "kind": "gemeinde", "ags": "12067338", "ars": "120675705338", "population": 1623, "populationYear": 2022},
  {"amt": "Amt Neuzelle", "name": "Neuzelle", "kind": "gemeinde", "ags": "12067357", "ars": "120675705357", "population": 4275, "populationYear": 2022},
  {"amt": "Amt Rhinow", "name": "Gollenberg (Landkreis Havelland)", "kind": "gemeinde", "ags": "12063094", "ars": "120635309094", "population": 396, "populationYear": 2022},
  {"amt": "Amt Rhinow", "name": "Großderschau", "kind": "gemeinde", "ags": "12063112", "ars": "120635309112", "population": 436, "populationYear": 2022},
  {"amt": "Amt Rhinow", "name": "Havelaue", "kind": "gemeinde", "ags": "12063134", "ars": "120635309134", "population": 884, "populationYear": 2022},
  {"amt": "Amt Rhinow", "name": "Kleßen-Görne", "kind": "gemeinde", "ags": "12063161", "ars": "120635309161", "population": 348, "populationYear": 2022},
  {"amt": "Amt Rhinow", "name": "Rhinow", "kind": "stadt", "ags": "12063260", "ars": "120635309260", "population": 1612, "populationYear": 2022},
  {"amt": "Amt Rhinow", "name": "Seeblick", "kind": "gemeinde", "ags": "12063274", "ars": "120635309274", "population": 880, "populationYear": 2022},
  {"amt": "Amt Kleine Elster (Niederlausitz)", "name": "Crinitz", "kind": "gemeinde", "ags": "12062088", "ars": "120625205088", "population": 1157, "populationYear": 2022},
  {"amt": "Amt Kleine Elster (Niederlausitz)", "name": "Lichterfeld-Schacksdorf", "kind": "gemeinde", "ags": "12062293", "ars": "120625205293", "population": 914, "populationYear": 2022},
  {"amt": "Amt Kleine Elster (Niederlausitz)", "name": "Massen-Niederlausitz", "kind": "gemeinde", "ags": "12062333", "ars": "120625205333", "population": 1854, "populationYear": 2022},
  {"amt": "Amt Kleine Elster (Niederlausitz)", "name": "Sallgast", "kind": "gemeinde", "ags": "12062425", "ars": "120625205425", "population": 1425, "populationYear": 2022},
  {"amt": "Amt Lindow (Mark)", "name": "Herzberg (Mark)", "kind": "gemeinde", "ags": "12068188", "ars": "120685804188", "population": 653, "populationYear": 2022},
  {"amt": "Amt Lindow (Mark)", "name": "Lindow (Mark)", "kind": "stadt", "ags": "12068280", "ars": "120685804280", "population": 3001, "populationYear": 2022},
  {"amt": "Amt Lindow (Mark)", "name": "Rüthnick", "kind": "gemeinde", "ags": "12068372", "ars": "120685804372", "population": 459, "populationYear": 2022},
  {"amt": "Amt Lindow (Mark)", "name": "Vielitzsee", "kind": "gemeinde", "ags": "12068437", "ars": "120685804437", "population": 506, "populationYear": 2022},
];
