import AWSCore
import NIOHTTP1

/// Bucket lifecycle rules: read, change one rule, delete one rule. S3 only has the whole
/// configuration (get, put, delete), so changing a rule is read-modify-write: rules with
/// other ids go back as they came.
extension S3Client {
    /// S3's answer header (and request header) for the bucket-wide minimum object size of
    /// transitions; sent back as it came so that a put does not reset it.
    static let minimumObjectSizeHeader = "x-amz-transition-default-minimum-object-size"

    /// GetBucketLifecycleConfiguration; an empty configuration when the bucket has none
    /// (S3 answers NoSuchLifecycleConfiguration).
    public func lifecycle(bucket: String) async throws -> LifecycleConfiguration {
        try await fetchLifecycle(bucket: bucket).configuration
    }

    private func fetchLifecycle(bucket: String) async throws -> (configuration: LifecycleConfiguration, minimumObjectSize: String?) {
        let operation = "GetBucketLifecycleConfiguration"
        let response = try await send(Call(operation: operation, method: .GET, bucket: bucket, key: nil,
                                           query: [("lifecycle", "")], accepted: [404]))
        if response.status == 404 {
            let error = AWSError.from(body: response.body, status: 404, operation: operation)
            guard error.code == "NoSuchLifecycleConfiguration" else {
                throw S3Error(operation: operation, bucket: bucket, key: nil, status: 404, code: error.code, message: error.message)
            }
            return (LifecycleConfiguration(), nil)
        }
        do {
            return (try LifecycleConfiguration.parse(response.body), response.headers.first(name: Self.minimumObjectSizeHeader))
        } catch {
            throw S3Error(operation: operation, bucket: bucket, key: nil, status: nil, code: nil, message: "\(error)")
        }
    }

    /// PutBucketLifecycleConfiguration (Content-MD5 on the body, as S3 requires); an empty
    /// configuration is a DeleteBucketLifecycle, S3 refusing a put without rules.
    public func putLifecycle(bucket: String, _ configuration: LifecycleConfiguration, minimumObjectSize: String? = nil) async throws {
        guard !configuration.rules.isEmpty else {
            _ = try await send(Call(operation: "DeleteBucketLifecycle", method: .DELETE, bucket: bucket, key: nil, query: [("lifecycle", "")]))
            return
        }
        _ = try await send(putLifecycleCall(bucket: bucket, configuration, minimumObjectSize: minimumObjectSize))
    }

    func putLifecycleCall(bucket: String, _ configuration: LifecycleConfiguration, minimumObjectSize: String?) -> Call {
        var headers = [("content-type", "application/xml")]
        if let minimumObjectSize { headers.append((Self.minimumObjectSizeHeader, minimumObjectSize)) }
        return Call(operation: "PutBucketLifecycleConfiguration", method: .PUT, bucket: bucket, key: nil,
                    query: [("lifecycle", "")], headers: headers, body: .s3(configuration.xml))
    }

    /// Puts `rule` in place of the bucket's rule with the same id, or adds it; the other rules
    /// stay. Returns whether a rule was replaced.
    @discardableResult
    public func putLifecycleRule(_ rule: LifecycleRule, bucket: String) async throws -> Bool {
        let (current, minimumObjectSize) = try await fetchLifecycle(bucket: bucket)
        try await putLifecycle(bucket: bucket, try current.merging(rule), minimumObjectSize: minimumObjectSize)
        return current.rule(id: rule.id) != nil
    }

    /// Removes the rule with `id`, keeping the others (the whole configuration goes with the
    /// last rule). Returns false, changing nothing, when there is no such rule.
    public func deleteLifecycleRule(id: String, bucket: String) async throws -> Bool {
        let (current, minimumObjectSize) = try await fetchLifecycle(bucket: bucket)
        guard let remaining = current.removing(id: id) else { return false }
        try await putLifecycle(bucket: bucket, remaining, minimumObjectSize: minimumObjectSize)
        return true
    }
}
