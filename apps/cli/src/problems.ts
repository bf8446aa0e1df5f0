import { CliError } from './errors';
import { LocatedIssue } from './validate/validate-objects';

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

export function problemOfIssue(issue: LocatedIssue): Problem {
  return {
    code: issue.code,
    message: issue.message,
    file: issue.file,
    line: issue.line,
    object: issue.object,
    path: issue.path,
  };
}
