#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

extension LocalBackend {
    /// `--no-whole-file`: builds the new version in a temp file from ranges of the old one
    /// (copy_file_range) and the literal bytes between them, checks the result's XXH3-128
    /// against the source, and only then gives it the name. On a mismatch (a strong-sum
    /// collision) the file is copied whole, as rsync does.
    public func writeFileUsingBasis(_ name: [UInt8], in directory: DirectoryRef, from source: Int32, size: Int64,
                                    attributes: AttributeSet, options: WriteOptions) throws -> (literal: Int64, matched: Int64) {
        let display = directory.path(of: name)
        let basis = try FileSystem.openForReading(name, in: directory.descriptor, path: display)
        defer { FileSystem.close(basis) }
        let basisSize = Int(try FileSystem.status(of: basis, path: display).size)
        let basisMap = try FileSystem.mapReadOnly(basis, size: basisSize, path: display)
        defer { FileSystem.unmap(basisMap) }
        let sourceMap = try FileSystem.mapReadOnly(source, size: Int(size), path: display)
        defer { FileSystem.unmap(sourceMap) }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let signature = Signature(of: basisMap ?? empty)
        let operations = DeltaMatcher(signature: signature).operations(for: sourceMap ?? empty)

        let usableMode = Self.creationMode(for: attributes)
        var writer = try AtomicFileWriter(name: name, in: directory, options: WriteOptions(), creationMode: usableMode)
        do {
            var literal: Int64 = 0, matched: Int64 = 0
            let result = ContentChecksum.Hasher()
            for operation in operations {
                try CancellationFlag.check()
                switch operation {
                case .literal(let bytes):
                    try bytes.withUnsafeBytes {
                        try FileSystem.writeAll(writer.descriptor, $0, path: display)
                        result.update($0)
                    }
                    literal += Int64(bytes.count)
                case .copy(let offset, let length):
                    var inOffset = Int64(offset)
                    var remaining = Int(length)
                    while remaining > 0 {
                        let n = Int(cs_copy_file_range(basis, &inOffset, writer.descriptor, nil, remaining))
                        if n <= 0 {
                            // No kernel copy here: write the mapped range instead.
                            let start = Int(inOffset)
                            try FileSystem.writeAll(writer.descriptor, UnsafeRawBufferPointer(rebasing: basisMap![start..<(start + remaining)]), path: display)
                            break
                        }
                        remaining -= n
                    }
                    result.update(UnsafeRawBufferPointer(rebasing: basisMap![Int(offset)..<Int(offset + length)]))
                    matched += Int64(length)
                }
            }
            // The whole-file check: what was assembled must hash like the source.
            if result.finalize() != ContentChecksum.digest(of: sourceMap ?? empty) {
                try FileSystem.truncate(writer.descriptor, to: 0, path: display)
                _ = lseek(writer.descriptor, 0, SEEK_SET)
                _ = lseek(source, 0, SEEK_SET)
                literal = try FileSystem.copyContents(from: source, to: writer.descriptor, sizeHint: size, path: display)
                matched = 0
            }
            try writer.apply(attributes, createdWith: usableMode)
            try writer.commit()
            return (literal, matched)
        } catch {
            writer.abandon(interrupted: error is SyncInterrupted)
            throw error
        }
    }
}
