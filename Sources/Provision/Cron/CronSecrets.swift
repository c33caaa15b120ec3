/// What must never go on a cron line: a cron file is readable by every user (cron skips one
/// that is not 0644) and `cron list` prints it. Credentials belong in a profile of the job's
/// user or in the environment, which the job's command line then names by no more than `--profile`.
enum CronSecrets {
    /// Options whose value is a credential (ours and the names users bring from the aws CLI).
    static let options: Set<String> = ["--secret-key", "--access-key", "--session-token", "--aws-secret-access-key",
                                       "--aws-access-key-id", "--aws-session-token"]

    /// Options whose value is a URL that may carry `user:password@`.
    static let urlOptions: Set<String> = ["--endpoint-url", "--endpoint"]

    /// The option in `arguments` that carries a secret, if any (its name only, never its value).
    static func offending(_ arguments: [String]) -> String? {
        var expectsURL = false
        for argument in arguments {
            if argument == "--" { break }
            if expectsURL {
                expectsURL = false
                if hasUserInfo(argument) { return "a user name or password in --endpoint-url" }
                continue
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if options.contains(name) { return name }
            if urlOptions.contains(name) {
                if name != argument {
                    if hasUserInfo(String(argument.dropFirst(name.count + 1))) { return "a user name or password in --endpoint-url" }
                } else {
                    expectsURL = true
                }
            }
        }
        return nil
    }

    /// `url` has a `user[:password]@` before its host.
    static func hasUserInfo(_ url: String) -> Bool { url.contains("@") }

    /// A cron command line as it may be shown: the value of every secret option, and any
    /// `user:password@` in a URL, masked (for files written before secrets were refused, or by hand).
    static func masked(_ command: String) -> String {
        var words = command.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var maskNext = false, urlNext = false
        for i in words.indices {
            let bare = words[i].hasPrefix("'") ? String(words[i].dropFirst()) : words[i]
            if maskNext {
                maskNext = false
                words[i] = "'***'"
                continue
            }
            let name = bare.split(separator: "=", maxSplits: 1).first.map(String.init) ?? bare
            let wasURL = urlNext
            urlNext = urlOptions.contains(name) && name == bare
            if options.contains(name) {
                if name == bare { maskNext = true } else { words[i] = "'\(name)=***'" }
            } else if let at = words[i].lastIndex(of: "@") {
                // After the scheme (or the `=`, or from the start of a URL given alone).
                let start = words[i].firstRange(of: "://")?.upperBound ?? (wasURL ? words[i].startIndex : nil)
                if let start, start <= at { words[i] = String(words[i][..<start]) + "***" + String(words[i][at...]) }
            }
        }
        return words.joined(separator: " ")
    }
}
