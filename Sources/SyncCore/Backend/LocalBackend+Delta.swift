#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import SyncSystem

extension LocalBackend {
    /// `--no-whole-file`: the delta of the source against the existing destination file (the
    /// basis), applied one of two ways:
    /// - default: a temp file assembled from basis ranges (copy_file_range) and the source's
    ///   literal bytes, given the name when complete;
    /// - `options.inPlace`: only what changed is written into the destination file itself, copies
    ///   ordered by ``InPlacePlan`` so none reads bytes already overwritten.
    ///
    /// Before anything is written, the XXH3-128 of the file the delta would build is compared
    /// with the source's; on a mismatch (a strong-sum collision) the file is copied whole, as
    /// rsync does. Returns the literal and matched byte counts for `--stats`.
    public func putFileUsingBasis(_ name: [UInt8], in directoryRef: DirectoryRef, basis basisFile: BasisFile?, from file: any FileSource,
                                  attributes attributesFor: AttributesForVersion, options: WriteOptions) throws -> (literal: Int64, matched: Int64) {
        let directory = try Self.local(directoryRef)
        let display = directory.path(of: name)
        // The delta is made from a mapping of the source: it must be a local file.
        guard let source = file.descriptor else { throw FileSystemError(operation: "delta", path: display, errno: EINVAL) }
        let size = file.status.size
        let attributes = attributesFor(file.status)
        let basisName = basisFile?.name ?? name, basisDirectory = try Self.local(basisFile?.directory ?? directory)
        let basis = try FileSystem.openForReading(basisName, in: basisDirectory.descriptor, path: basisDirectory.path(of: basisName))
        defer { FileSystem.close(basis) }
        let basisSize = Int(try FileSystem.status(of: basis, path: display).size)
        // Both files are read through fault-safe mappings: one that shrinks under us reads as
        // zeros and is caught below, before the result gets the name.
        let basisRegion = try MappedRegion(fd: basis, offset: 0, length: basisSize, path: display)
        let sourceRegion = try MappedRegion(fd: source, offset: 0, length: Int(size), path: display)
        let old = basisRegion.bytes, new = sourceRegion.bytes
        let threads = DeltaMatcher.defaultParallelism
        let signature = Signature(of: old, parallelism: threads)
        let matcher = DeltaMatcher(signature: signature)
        var segments = matcher.segments(for: new, parallelism: threads, sources: options.inPlace ? .forward : .any)
        var plan: InPlacePlan?
        if options.inPlace {
            // With a separate basis (the backup copy) nothing a copy reads is ever overwritten.
            plan = InPlacePlan(segments: segments, pieceLength: signature.blockLength, basis: old, basisIsSeparate: basisFile != nil)
            if plan!.convertedBytes > 0 {
                // Copies that read behind their target formed cycles; copies that only read ahead
                // never do. Keep whichever costs less literal data.
                let forward = matcher.segments(for: new, parallelism: threads, sources: .forwardOnly)
                let alternative = InPlacePlan(segments: forward, pieceLength: signature.blockLength, basis: old)
                if alternative.literalBytes < plan!.literalBytes { (segments, plan) = (forward, alternative) }
            }
        }
        try CancellationFlag.check()
        let verified = Self.deltaRebuildsSource(segments, basis: old, source: new)

        let usableMode = Self.creationMode(for: attributes)
        var writer = try AtomicFileWriter(name: name, in: directory, options: options, creationMode: usableMode)
        do {
            var result: (literal: Int64, matched: Int64)
            if !verified {
                // Whole copy (in place, over the old contents).
                if options.inPlace { try FileSystem.rewind(writer.descriptor, path: display) }
                try FileSystem.rewind(source, path: display)
                result = (try FileSystem.copyContents(from: source, to: writer.descriptor, sizeHint: size, path: display), 0)
            } else if let plan {
                try Self.apply(plan, reader: basis, writer: writer.descriptor, source: new, path: display)
                result = (Int64(plan.literalBytes), Int64(new.count - plan.literalBytes))
            } else {
                try Self.assemble(segments, basis: basis, output: writer.descriptor, source: new, path: display)
                let counts = segments.byteCounts
                result = (Int64(counts.literal), Int64(counts.matched))
            }
            if options.inPlace { try FileSystem.truncate(writer.descriptor, to: size, path: display) }
            try sourceRegion.checkIntact(path: display)
            try basisRegion.checkIntact(path: display)
            try writer.apply(attributes, createdWith: usableMode)
            try writer.commit()
            return withExtendedLifetime((basisRegion, sourceRegion)) { result }
        } catch {
            writer.abandon(interrupted: error is SyncInterrupted)
            throw error
        }
    }

    /// Whether the file `segments` build hashes like the source (two XXH3-128 passes, run side by side).
    static func deltaRebuildsSource(_ segments: [DeltaSegment], basis: UnsafeRawBufferPointer, source: UnsafeRawBufferPointer) -> Bool {
        let digests = UnsafeSendable(UnsafeMutableBufferPointer<ContentChecksum.Digest>.allocate(capacity: 2))
        defer { digests.value.deallocate() }
        let basis = UnsafeSendable(basis), source = UnsafeSendable(source), segments = UnsafeSendable(segments)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                digests.value[0] = ContentChecksum.digest(of: source.value)
                return
            }
            let hasher = ContentChecksum.Hasher()
            for segment in segments.value {
                let from = segment.basisOffset.map { UnsafeRawBufferPointer(rebasing: basis.value[$0..<($0 + segment.length)]) }
                    ?? UnsafeRawBufferPointer(rebasing: source.value[segment.targetOffset..<segment.targetEnd])
                hasher.update(from)
            }
            digests.value[1] = hasher.finalize()
        }
        return digests.value[0] == digests.value[1]
    }

    /// Writes the new file front to back: basis ranges copied by the kernel, literals from the source.
    static func assemble(_ segments: [DeltaSegment], basis: Int32, output: Int32, source: UnsafeRawBufferPointer,
                         path: @autoclosure () -> String) throws {
        for segment in segments {
            try CancellationFlag.check()
            let target = Int64(segment.targetOffset)
            if let from = segment.basisOffset {
                let copied = FileSystem.copyRange(from: basis, at: Int64(from), to: output, at: target, length: segment.length)
                if copied < segment.length {
                    // No kernel copy here (another filesystem): write the rest from the source,
                    // whose bytes are the same (the delta was verified).
                    let rest = UnsafeRawBufferPointer(rebasing: source[(segment.targetOffset + copied)..<segment.targetEnd])
                    try FileSystem.writeAll(output, rest, at: target + Int64(copied), path: path())
                }
            } else {
                try FileSystem.writeAll(output, UnsafeRawBufferPointer(rebasing: source[segment.targetOffset..<segment.targetEnd]),
                                        at: target, path: path())
            }
        }
    }

    /// Updates the basis file in place: the plan's copies in order, then its literals.
    static func apply(_ plan: InPlacePlan, reader: Int32, writer: Int32, source: UnsafeRawBufferPointer,
                      path: @autoclosure () -> String) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        for copy in plan.coalescedCopies {
            try CancellationFlag.check()
            try FileSystem.moveRange(reader: reader, writer: writer, from: Int64(copy.basisOffset!), to: Int64(copy.targetOffset),
                                     length: copy.length, buffer: buffer, path: path())
        }
        for literal in plan.literals {
            try CancellationFlag.check()
            try FileSystem.writeAll(writer, UnsafeRawBufferPointer(rebasing: source[literal.targetOffset..<literal.targetEnd]),
                                    at: Int64(literal.targetOffset), path: path())
        }
    }
}
