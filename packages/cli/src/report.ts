import { UsageError, type CliIO } from './io';

/** `madoguchi report …` (being written). */
export async function reportCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new UsageError('"report" is not available in this build');
}
