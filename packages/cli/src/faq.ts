import { UsageError, type CliIO } from './io';

/** `madoguchi faq …` (being written). */
export async function faqCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new UsageError('"faq" is not available in this build');
}
