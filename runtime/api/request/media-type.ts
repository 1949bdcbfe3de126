/** The media type of a Content-Type or Accept entry, lower-cased, without parameters. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  return PATCH_TYPES[mediaTypeOf(contentType)];
}

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Bodies of create and update: JSON, or YAML as kubectl and curl users send it. */
export function isObjectMediaType(contentType: string | undefined): boolean {
  const type = mediaTypeOf(contentType);
  return type === 'application/json' || type === 'application/yaml' || type === PROTOBUF || type === '*/*' || type === '';
}

/** What the client asked for in Accept: a Table (server-side printing) or the plain object. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((entry) => {
      const params = entry.split(';').map((p) => p.trim());
      return params.includes('as=Table') && params.some((p) => p === 'g=meta.k8s.io');
    });
}

/** true when the client asked for metadata only (`as=PartialObjectMetadata[List]`), as client-go's metadata client does. */
export function wantsMetadataOnly(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((entry) => {
    const params = entry.split(';').map((p) => p.trim());
    return params.some((p) => p === 'as=PartialObjectMetadata' || p === 'as=PartialObjectMetadataList') && params.includes('g=meta.k8s.io');
  });
}
