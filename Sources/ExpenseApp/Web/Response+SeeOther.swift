import Hummingbird

extension Response {
    /// 303 See Other: the answer to a successful form post.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
