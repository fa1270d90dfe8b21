import CCurl

/// The libcurl this binary links, for diagnostics (`curl 7.88.1` and its TLS library).
public enum Curl {
    /// Initializes libcurl once per process; idempotent.
    public static let initialized: Bool = et_curl_global_init() == CURLE_OK

    public static var versionDescription: String {
        String(cString: curl_version())
    }

    /// Whether this libcurl speaks the protocols the SMTP transport needs.
    public static var supportsSMTP: Bool {
        guard let info = et_curl_version_info(), let protocols = info.pointee.protocols else {
            return false
        }
        var names: Set<String> = []
        var cursor = protocols
        while let name = cursor.pointee {
            names.insert(String(cString: name))
            cursor += 1
        }
        return names.isSuperset(of: ["smtp", "smtps"])
    }
}
