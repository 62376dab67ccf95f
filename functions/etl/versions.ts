import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ObjectVersion {
  versionId: string;
  etag?: string;
  lastModified?: Date;
}

/**
 * Every version of exactly one key, newest first: S3's own order of writes to that key (what an
 * event's `sequencer` encodes), available to the loader and the sweeper alike. Delete markers are
 * left out: they carry no data.
 */
export async function listKeyVersions(s3: S3Client, bucket: string, key: string): Promise<ObjectVersion[]> {
  const versions: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    let pastKey = false;
    for (const version of page.Versions ?? []) {
      if (version.Key !== key) {
        pastKey ||= (version.Key ?? '') > key;
        continue;
      }
      versions.push({ versionId: version.VersionId ?? 'null', etag: version.ETag?.replace(/"/g, ''), lastModified: version.LastModified });
    }
    if (!page.IsTruncated || pastKey) return versions;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}
