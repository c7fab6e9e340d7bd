// Text widths from the TrueType font the charts are drawn with, so Vega lays out axes and
// labels for the glyphs resvg and browsers will actually paint (without node-canvas Vega
// would guess 0.8 em per character: wide gaps, early truncation). Reads only what advance
// widths need: `head` (units per em), `hhea` + `hmtx` (advances) and a format-4 `cmap`.
// Kerning is ignored; DejaVu's kerning moves a label by a pixel or two at most.
import { readFileSync } from 'node:fs';

export interface FontMetrics {
  /** Width in px of `text` set at `fontSize` px. */
  width(text: string, fontSize: number): number;
}

interface TableDirectory {
  [tag: string]: { offset: number; length: number };
}

function readTables(font: Buffer): TableDirectory {
  const count = font.readUInt16BE(4);
  const tables: TableDirectory = {};
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    const tag = font.toString('latin1', at, at + 4);
    tables[tag] = { offset: font.readUInt32BE(at + 8), length: font.readUInt32BE(at + 12) };
  }
  for (const tag of ['head', 'hhea', 'hmtx', 'cmap']) {
    if (!tables[tag]) throw new Error(`font has no '${tag}' table`);
  }
  return tables;
}

/** Code point → glyph id from the Unicode BMP subtable (platform 3/1 or 0/x, format 4). */
function readCmap(font: Buffer, cmapOffset: number): Map<number, number> {
  const subtables = font.readUInt16BE(cmapOffset + 2);
  let format4 = -1;
  for (let i = 0; i < subtables; i++) {
    const at = cmapOffset + 4 + i * 8;
    const platform = font.readUInt16BE(at);
    const encoding = font.readUInt16BE(at + 2);
    const offset = cmapOffset + font.readUInt32BE(at + 4);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (font.readUInt16BE(offset) === 4) format4 = offset;
    }
  }
  if (format4 < 0) throw new Error('font has no format-4 Unicode cmap');
  const segments = font.readUInt16BE(format4 + 6) / 2;
  const ends = format4 + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  const glyphs = new Map<number, number>();
  for (let s = 0; s < segments; s++) {
    const end = font.readUInt16BE(ends + s * 2);
    const start = font.readUInt16BE(starts + s * 2);
    const delta = font.readInt16BE(deltas + s * 2);
    const rangeOffsetAt = rangeOffsets + s * 2;
    const rangeOffset = font.readUInt16BE(rangeOffsetAt);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (code + delta) & 0xffff;
      else {
        const raw = font.readUInt16BE(rangeOffsetAt + rangeOffset + (code - start) * 2);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) glyphs.set(code, glyph);
    }
  }
  return glyphs;
}

/** Loads advance widths from a .ttf file. */
export function loadFontMetrics(path: string): FontMetrics {
  const font = readFileSync(path);
  const tables = readTables(font);
  const unitsPerEm = font.readUInt16BE(tables.head!.offset + 18);
  const advanceCount = font.readUInt16BE(tables.hhea!.offset + 34);
  const advances = new Uint16Array(advanceCount);
  for (let g = 0; g < advanceCount; g++) advances[g] = font.readUInt16BE(tables.hmtx!.offset + g * 4);
  const glyphs = readCmap(font, tables.cmap!.offset);
  const missing = advances[0]!; // glyph 0 (.notdef) is what a renderer draws for an unknown character
  const advanceOf = (code: number): number => {
    const glyph = glyphs.get(code);
    if (glyph === undefined) return missing;
    // Glyphs past numberOfHMetrics share the last advance (TrueType spec, 'hmtx').
    return advances[Math.min(glyph, advanceCount - 1)]!;
  };
  return {
    width(text, fontSize) {
      let units = 0;
      for (const ch of text) units += advanceOf(ch.codePointAt(0)!);
      return (units / unitsPerEm) * fontSize;
    },
  };
}
