/**
 * Splits `--command "SET k 'a b'"` into arguments like a POSIX shell would, without expansion:
 * whitespace separates, '...' is literal, "..." allows \" \\ \$ \` escapes, and a backslash
 * outside quotes escapes the next character.
 */
import { UserError } from "../errors.ts";

export function shellSplit(text: string, spelling = "--command"): string[] {
  const args: string[] = [];
  let current = "";
  let inArg = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UserError(`${spelling} has an unterminated ' quote`);
      current += text.slice(i + 1, end);
      inArg = true;
      i = end;
    } else if (ch === '"') {
      inArg = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && j + 1 < text.length && '"\\$`'.includes(text[j + 1])) j++;
        current += text[j];
      }
      if (j >= text.length) throw new UserError(`${spelling} has an unterminated " quote`);
      i = j;
    } else if (ch === "\\") {
      if (i + 1 >= text.length) throw new UserError(`${spelling} ends with a lone backslash`);
      current += text[++i];
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = "";
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (inArg) args.push(current);
  if (args.length === 0) throw new UserError(`${spelling} is empty; give a command like --command "SET key value"`);
  return args;
}
