/** An archive given to `importArchive` that is not an image archive, or is damaged. */
export class ImageArchiveError extends Error {
  readonly code = 'ImageArchiveError';
  constructor(message: string) {
    super(message);
    this.name = 'ImageArchiveError';
  }
}
