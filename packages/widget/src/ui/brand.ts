/** Relative luminance (WCAG) of a #rgb or #rrggbb colour. */
export function luminance(hex: string): number {
  const h = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, '$&$&').slice(1) : hex.slice(1);
  return [0, 2, 4]
    .map((i) => parseInt(h.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
}

/**
 * Offsets and the launcher's brand colour as custom properties; its icon is black or white,
 * whichever stands out more. The panel's readable shades come with its views (see readable.ts).
 */
export function brandStyle(accent: string | undefined, offset: { x?: number; y?: number } | undefined): Record<string, string> {
  const style: Record<string, string> = {};
  if (offset?.x !== undefined) style['--x'] = `${offset.x}px`;
  if (offset?.y !== undefined) style['--y'] = `${offset.y}px`;
  if (accent) {
    style['--launch'] = accent;
    // Black text wins over white above this luminance (equal contrast at about 0.179).
    style['--launch-on'] = luminance(accent) > 0.179 ? '#111' : '#fff';
  }
  return style;
}
