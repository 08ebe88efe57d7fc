import { UsageError, type CliIO } from './io';

/** `madoguchi flow …` (being written). */
export async function flowCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new UsageError('"flow" is not available in this build');
}
