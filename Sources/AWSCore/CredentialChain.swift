#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Where credentials and the region come from, in the order the AWS CLI (and boto) look:
/// flags → `AWS_*` environment → `~/.aws/credentials` / `~/.aws/config` profile → `~/.boto` →
/// EC2 instance metadata (IMDSv2). Everything but the metadata service is resolved by
/// ``resolveLocally()``, a pure function of its inputs.
public struct CredentialChain: Sendable {
    public var accessKeyFlag: String?
    public var secretKeyFlag: String?
    public var profileFlag: String?
    public var regionFlag: String?
    public var environment: [String: String]
    public var homeDirectory: String
    /// Reads a file's text (nil when absent); injected for tests.
    public var readFile: @Sendable (String) -> String?

    public init(accessKey: String? = nil, secretKey: String? = nil, profile: String? = nil, region: String? = nil,
                environment: [String: String] = CredentialChain.processEnvironment(),
                homeDirectory: String? = nil,
                readFile: @escaping @Sendable (String) -> String? = CredentialChain.readTextFile) {
        accessKeyFlag = accessKey
        secretKeyFlag = secretKey
        profileFlag = profile
        regionFlag = region
        self.environment = environment
        self.homeDirectory = homeDirectory ?? environment["HOME"] ?? "/root"
        self.readFile = readFile
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case incompleteFlags
        case unknownProfile(String)
        case none

        public var description: String {
            switch self {
            case .incompleteFlags: "both an access key and a secret key are needed (one was given)"
            case .unknownProfile(let name): "profile \"\(name)\" is not in ~/.aws/credentials or ~/.aws/config"
            case .none: "no AWS credentials: give --access-key/--secret-key, set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, add a profile to ~/.aws/credentials, or run on EC2 with an instance role"
            }
        }
    }

    /// The profile in use: the flag, else `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`), else "default".
    public var profile: String { profileFlag ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default" }

    var credentialsFile: INIFile? {
        readFile(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(homeDirectory)/.aws/credentials").map(INIFile.init(parsing:))
    }

    var configFile: INIFile? {
        readFile(environment["AWS_CONFIG_FILE"] ?? "\(homeDirectory)/.aws/config").map(INIFile.init(parsing:))
    }

    var botoFile: INIFile? {
        readFile(environment["BOTO_CONFIG"] ?? "\(homeDirectory)/.boto").map(INIFile.init(parsing:))
    }

    /// Credentials from everything but the metadata service; nil means "ask IMDS next".
    public func resolveLocally() throws(Failure) -> AWSCredentials? {
        switch (accessKeyFlag, secretKeyFlag) {
        case (let key?, let secret?): return AWSCredentials(accessKeyID: key, secretAccessKey: secret, source: "flags")
        case (nil, nil): break
        default: throw .incompleteFlags
        }
        if profileFlag == nil, let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"],
           !key.isEmpty, !secret.isEmpty {
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"],
                                  source: "environment")
        }
        let name = profile
        let configSection = name == "default" ? "default" : "profile \(name)"
        for (file, section) in [(credentialsFile, name), (configFile, configSection)] {
            if let file, let key = file[section, "aws_access_key_id"], let secret = file[section, "aws_secret_access_key"] {
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: file[section, "aws_session_token"],
                                      source: "profile \(name)")
            }
        }
        let explicitProfile = profileFlag != nil || environment["AWS_PROFILE"] != nil
        if explicitProfile && credentialsFile?.sections[name] == nil && configFile?.sections[configSection] == nil {
            throw .unknownProfile(name)
        }
        if let boto = botoFile, let key = boto["Credentials", "aws_access_key_id"], let secret = boto["Credentials", "aws_secret_access_key"] {
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, source: "~/.boto")
        }
        return nil
    }

    /// The region: the flag, `AWS_REGION`/`AWS_DEFAULT_REGION`, the profile's `region`, else nil.
    public var region: String? {
        if let regionFlag { return regionFlag }
        if let r = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !r.isEmpty { return r }
        let name = profile
        return configFile?[name == "default" ? "default" : "profile \(name)", "region"]
    }

    /// The instance metadata endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides it, so it can
    /// be tested), or nil when `AWS_EC2_METADATA_DISABLED=true`.
    public var metadataEndpoint: String? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }

    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { result[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            pointer += 1
        }
        return result
    }

    @Sendable public static func readTextFile(_ path: String) -> String? {
        (try? FileSystem.readWholeFile(path)).map { String(decoding: $0, as: UTF8.self) }
    }
}
