import Foundation
import Hummingbird

/// `GET /api/openapi.yaml`: the OpenAPI 3.1 description of the JSON API, shipped as a resource.
struct OpenAPIController: Sendable {
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "Resources/openapi", withExtension: "yaml") else {
                throw AppResourcesMissing(what: "OpenAPI description")
            }
            let text = try String(contentsOf: url, encoding: .utf8)
            return Response(
                status: .ok,
                headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }
}
