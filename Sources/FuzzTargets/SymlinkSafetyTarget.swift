import SyncCore

/// `--safe-links`' judgement of a symlink target (from a source tree, later from a remote peer):
/// the input is the link's path, a NUL, then its target. Whatever the bytes, a target judged
/// safe never climbs above the transfer's top when its components are followed one by one from
/// the link's directory, and `--munge-links`' unmunging only ever takes the prefix off.
public func fuzzSymlinkSafety(_ data: UnsafeRawBufferPointer) {
    let bytes = [UInt8](data)
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let path = Array(bytes[..<split]), target = split < bytes.count ? Array(bytes[(split + 1)...]) : []
    let slash = UInt8(ascii: "/")
    if !SymlinkSafety.isUnsafe(target: target, at: path) {
        check(target.first != nil && target.first != slash, "an empty or absolute target judged safe")
        var depth = 0
        for component in path.split(separator: slash).dropLast() {
            if component.elementsEqual("..".utf8) { depth = 0 } else if !component.elementsEqual(".".utf8) { depth += 1 }
        }
        for component in target.split(separator: slash) where !component.elementsEqual(".".utf8) {
            depth += component.elementsEqual("..".utf8) ? -1 : 1
            check(depth >= 0, "a target judged safe climbs above the transfer's top")
        }
    }
    if let plain = SymlinkSafety.unmunged(target) {
        check(SymlinkSafety.mungePrefix + plain == target && !plain.isEmpty, "unmunging changed more than the prefix")
    }
}
