import AWSCore
import S3

/// The XML S3 and EC2 answer with (any server on `--endpoint-url` can send anything): the
/// element tree parser, and the two readers built on it that take whole documents (error
/// bodies and lifecycle configurations).
public func fuzzXML(_ data: UnsafeRawBufferPointer) {
    let bytes = [UInt8](data)
    if let root = try? XMLNode.parse(bytes) {
        var stack = [root], nodes = 0
        while let node = stack.popLast() {
            nodes += 1
            _ = node.text("Key")
            stack += node.children
        }
        check(nodes >= 1, "an XML tree without its root")
    }
    _ = AWSError.from(body: bytes, status: 500, operation: "Fuzz", contentType: "application/xml")
    _ = try? LifecycleConfiguration.parse(bytes)
}
