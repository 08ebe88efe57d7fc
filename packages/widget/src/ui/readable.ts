import { luminance } from './brand';

const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};
const hex = (c: number[]) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const full = (h: string) => (h.length === 4 ? h.replace(/[0-9a-f]/gi, '$&$&') : h);

/** `color` moved toward `toward` in small steps until it stands out from `on` by at least `min`. */
function shade(color: string, on: string, min: number, toward: number): string {
  let c = rgb(full(color));
  for (let step = 0; step < 25 && contrast(hex(c), on) < min; step++) c = c.map((v) => v + (toward - v) * 0.12);
  return hex(c);
}

/**
 * The brand colour in shades the panel can use: text in the accent colour keeps 4.5:1 against the
 * light and the dark background, and so does the text on accent buttons and the user's bubbles.
 */
export function readableBrand(accent: string): Record<string, string> {
  const light = shade(accent, '#ffffff', 4.5, 0);
  const dark = shade(accent, '#1d2026', 4.5, 255);
  return {
    '--brand': light,
    '--brand-on': contrast(light, '#ffffff') >= 4.5 ? '#ffffff' : '#111111',
    '--brand-dark': dark,
    '--brand-dark-on': contrast(dark, '#111111') >= 4.5 ? '#111111' : '#ffffff',
  };
}
