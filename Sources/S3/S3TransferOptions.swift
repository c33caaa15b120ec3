import SyncCore

/// Options of a sync to or from S3 beyond the rsync ones in ``SyncOptions``.
public struct S3TransferOptions: Sendable {
    /// Files this size and larger go up (and come down) in parts (`--multipart-threshold`).
    public var multipartThreshold: Int64 = 8 << 20
    /// `--part-size`, grown to stay within 10,000 parts.
    public var partSize: Int64 = 8 << 20
    /// Multipart uploads are created with S3's CRC32 checksum and every part carries its CRC32
    /// (`--part-checksum CRC32`, the default, as the AWS SDKs do); `none` leaves them out, for
    /// S3-compatible servers that reject the headers.
    public var partChecksumCRC32 = true
    /// S3→S3: objects this size and larger are copied with UploadPartCopy instead of one
    /// CopyObject (which S3 allows up to 5 GiB).
    public var multipartCopyThreshold: Int64 = S3Client.maximumCopyObjectSize
    /// Files up to this size go up from a buffer they are read into, larger ones from a mapping
    /// (at most this × `concurrency` bytes held for bodies in flight).
    public var bufferedUploadLimit = 1 << 20
    /// Requests in flight across files and parts (`--s3-concurrency`).
    public var concurrency = 16
    public var put = S3PutOptions()
    /// boto-rsync's conventions (see ``BotoStyle``); nil for rsync's.
    public var boto: BotoStyle?

    public init() {}
}

/// What boto-rsync does differently from rsync, kept apart so the engine stays one.
public struct BotoStyle: Sendable, Equatable {
    /// A source directory always means its contents, with or without a trailing slash.
    public var sourceIsContents = true
    /// Every directory of an upload becomes an empty `dir/` key (`--skip-dirkeys` turns it off).
    public var directoryKeys = true
    /// `--ignore-empty`: 0-byte files and keys, and empty directories, are left out.
    public var ignoreEmpty = false
    /// `--glob`: the last part of SOURCE is a shell pattern for the names to sync.
    public var glob: [UInt8]?
    /// `-p`: S3→S3 copies carry the source object's ACL.
    public var preserveACL = false

    public init() {}
}
