/**
 * A small built-in bitmap font (5×7 capitals, digits and the punctuation our labels use), so the
 * figures a run writes carry their labels in the pixels on every platform: Node has no canvas,
 * and a PNG with its labels inside it reads the same wherever it is opened. Lower-case letters
 * are drawn as capitals; an unknown character is drawn as '?'.
 */
import { fillRect, type Rgb, type RgbImage } from './raster.js';

const W = 5,
  H = 7;
/** Each glyph is 7 rows of 5 cells, '#' inked, rows separated by spaces. */
const GLYPHS: Record<string, string> = {
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '####. #...# #...# #...# #...# #...# ####.',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  0: '.###. #...# #..## #.#.# ##..# #...# .###.',
  1: '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  2: '.###. #...# ....# ...#. ..#.. .#... #####',
  3: '##### ...#. ..#.. ...#. ....# #...# .###.',
  4: '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  5: '##### #.... ####. ....# ....# #...# .###.',
  6: '..##. .#... #.... ####. #...# #...# .###.',
  7: '##### ....# ...#. ..#.. .#... .#... .#...',
  8: '.###. #...# #...# .###. #...# #...# .###.',
  9: '.###. #...# #...# .#### ....# ...#. .##..',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '-': '..... ..... ..... .###. ..... ..... .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '×': '..... #...# .#.#. ..#.. .#.#. #...# .....',
  '·': '..... ..... ..... ..#.. ..... ..... .....',
  '%': '##..# ##..# ...#. ..#.. .#... #..## #..##',
  '=': '..... ..... ##### ..... ##### ..... .....',
  _: '..... ..... ..... ..... ..... ..... #####',
  '[': '.###. .#... .#... .#... .#... .#... .###.',
  ']': '.###. ...#. ...#. ...#. ...#. ...#. .###.',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '>': '.#... ..#.. ...#. ....# ...#. ..#.. .#...',
  "'": '..#.. ..#.. ..... ..... ..... ..... .....',
  '|': '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '—': '..... ..... ..... ##### ..... ..... .....',
  '≥': '.#... ..#.. ...#. ..#.. .#... ..... #####',
};

/** Advance per character and line height in font pixels (one blank column, two blank rows). */
export const CELL_W = W + 1,
  CELL_H = H + 2;

const bitmaps = new Map(Object.entries(GLYPHS).map(([ch, rows]) => [ch, rows.split(' ').map((r) => [...r].map((c) => c === '#'))]));

const glyphOf = (ch: string) => bitmaps.get(ch.toUpperCase()) ?? bitmaps.get('?')!;

/** Whether the font has its own glyph for every character of `text` (case-insensitive). */
export const fontCovers = (text: string): boolean => [...text].every((ch) => bitmaps.has(ch.toUpperCase()));

/** Width in image pixels of `text` drawn at `scale` (without the trailing blank column). */
export function textWidth(text: string, scale = 1): number {
  const n = [...text].length;
  return n ? (n * CELL_W - 1) * scale : 0;
}

export const textHeight = (scale = 1): number => H * scale;

/** Draw `text` with its top-left corner at (x, y), each font pixel a scale×scale square. */
export function drawText(img: RgbImage, text: string, x: number, y: number, opts: { scale?: number; color?: Rgb } = {}): void {
  const scale = opts.scale ?? 1,
    color = opts.color ?? [0, 0, 0];
  [...text].forEach((ch, i) => {
    const glyph = glyphOf(ch),
      gx = x + i * CELL_W * scale;
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) if (glyph[r][c]) fillRect(img, gx + c * scale, y + r * scale, scale, scale, color);
  });
}

/** Draw `text` centred on x (same as drawText otherwise). */
export function drawTextCentred(img: RgbImage, text: string, cx: number, y: number, opts: { scale?: number; color?: Rgb } = {}): void {
  drawText(img, text, Math.round(cx - textWidth(text, opts.scale ?? 1) / 2), y, opts);
}
