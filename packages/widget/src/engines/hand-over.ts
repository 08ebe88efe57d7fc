/** An engine file gives its exports to madoguchi.js through the one global the widget owns. */
export function handOver(name: string, engine: unknown): void {
  (window as unknown as { Madoguchi: (...args: unknown[]) => void }).Madoguchi('_engine', name, engine);
}
