/**
 * The keys `--cleanup` may delete: exactly the ones this tool writes for the run's vectors,
 * `<prefix><12-digit id>` or `<prefix>{<3-character tag>}<12-digit id>` (src/search/key-id.ts,
 * src/cluster/slot-tags.ts), with an id inside the run's slice of the dataset. Anything else
 * under the prefix (another run's ids, another tool's keys, `vecX` under prefix `vec`) stays.
 */
import { TAG_WIDTH } from "../cluster/slot-tags.ts";
import { ID_WIDTH } from "./key-id.ts";

const isDigit = (c: number) => c >= 48 && c <= 57;
const isTagChar = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A predicate for keys of `prefix` with ids in [firstId, endId). */
export function ownVectorKeys(prefix: string, firstId: number, endId: number): (key: string) => boolean {
  return (key) => {
    if (!key.startsWith(prefix)) return false;
    let i = prefix.length;
    const rest = key.length - i;
    if (rest === TAG_WIDTH + 2 + ID_WIDTH) {
      if (key.charCodeAt(i) !== 123 || key.charCodeAt(i + TAG_WIDTH + 1) !== 125) return false;
      for (let t = 1; t <= TAG_WIDTH; t++) if (!isTagChar(key.charCodeAt(i + t))) return false;
      i += TAG_WIDTH + 2;
    } else if (rest !== ID_WIDTH) {
      return false;
    }
    for (let d = i; d < key.length; d++) if (!isDigit(key.charCodeAt(d))) return false;
    const id = Number(key.slice(i));
    return id >= firstId && id < endId;
  };
}
