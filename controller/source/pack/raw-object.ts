import type { ObjectType } from './pack-entry.js';

/** A Git object's type and content (without the `<type> <size>\0` header). */
export interface RawObject {
  type: ObjectType;
  content: Buffer;
}
