import Hummingbird

/// 202's body: the request is taken and its outcome is on its way by email (the same whether or
/// not there was anything to send, so the answer tells nothing about who has an account).
struct Accepted: ResponseEncodable {
    var status = "accepted"
    var detail: String
}
