/**
 * Reading a PDF back in tests without system tools: its text and metadata through pdf.js (the npm
 * package pdfjs-dist), its fonts from the font dictionaries (pdfkit writes them as plain objects).
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

async function open(pdf: Uint8Array) {
  return getDocument({
    data: new Uint8Array(pdf),
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
}

/** The text of every page, lines as the PDF ends them. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  const doc = await open(pdf);
  try {
    let out = '';
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      for (const item of content.items) if ('str' in item) out += item.str + (item.hasEOL ? '\n' : '');
      out += '\n';
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

/** The document information dictionary's title. */
export async function pdfTitle(pdf: Uint8Array): Promise<string | undefined> {
  const doc = await open(pdf);
  try {
    const { info } = (await doc.getMetadata()) as { info: { Title?: string } };
    return info.Title;
  } finally {
    await doc.destroy();
  }
}

export interface PdfFont {
  /** e.g. "CZZZZZ+DejaVuSans": a six-letter tag and "+" mark a subset. */
  baseFont: string;
  subtype: string;
  encoding: string | null;
  /** A ToUnicode map: the text can be copied and searched. */
  toUnicode: boolean;
}

/** The composite (Type0) and simple fonts the PDF uses, from their dictionaries. */
export function pdfFonts(pdf: Uint8Array): { fonts: PdfFont[]; embeddedFontFiles: number } {
  const raw = Buffer.from(pdf).toString('latin1');
  const fonts: PdfFont[] = [];
  for (const m of raw.matchAll(/<<((?:(?!>>\s*endobj)[\s\S])*?\/Type \/Font\b[\s\S]*?)>>\s*endobj/g)) {
    const dict = m[1] ?? '';
    const baseFont = dict.match(/\/BaseFont \/(\S+)/)?.[1];
    const subtype = dict.match(/\/Subtype \/(\w+)/)?.[1];
    if (!baseFont || !subtype || subtype === 'CIDFontType2') continue;
    fonts.push({
      baseFont,
      subtype,
      encoding: dict.match(/\/Encoding \/([\w-]+)/)?.[1] ?? null,
      toUnicode: /\/ToUnicode \d+ 0 R/.test(dict),
    });
  }
  return { fonts, embeddedFontFiles: raw.match(/\/FontFile2 \d+ 0 R/g)?.length ?? 0 };
}
