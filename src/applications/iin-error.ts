import { AppError } from '../errors.ts';
import type { IinProblem } from '../domain/iin.ts';
import type { IinSubject } from './messages.ts';

/**
 * A refused IIN, naming the failed check. `field` is the input's path: 'child.iin' (or 'childIin') and
 * 'parent.iin' also name whose IIN it is in the text; any other field gets the plain text. params.field keeps the
 * path (a form puts the message beside that input).
 */
export function iinError(field: string, problem: IinProblem): AppError {
  const subject: IinSubject = field === 'child.iin' || field === 'childIin' ? 'child' : field === 'parent.iin' ? 'parent' : 'problem';
  return new AppError(`iin_${problem}`, 400, `iin.${subject}.${problem}`, { field });
}
