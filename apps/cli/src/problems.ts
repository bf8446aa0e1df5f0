import { CliError } from './errors';

/** One error as `-o json` and `-o yaml` print it: a code, a message, and where when known. */
export interface Problem {
  code: string;
  message: string;
  file?: string;
  line?: number;
  /** "Kind/name" of the object. */
  object?: string;
  /** The field, e.g. spec.requires[0].versionConstraint. */
  path?: string;
}

export function problemOfError(error: CliError): Problem {
  return { code: error.code, message: error.message, ...error.place };
}

/** What a problem takes of an issue located in a file (validate's LocatedIssue). */
type LocatedFields = Required<Pick<Problem, 'code' | 'message' | 'file' | 'line' | 'object'>> &
  Pick<Problem, 'path'>;

export function problemOfIssue(issue: LocatedFields): Problem {
  return {
    code: issue.code,
    message: issue.message,
    file: issue.file,
    line: issue.line,
    object: issue.object,
    path: issue.path,
  };
}
