import Foundation
import Hummingbird

/// `GET /api/openapi.yaml`: the OpenAPI 3.1 description of the JSON API, shipped as a resource.
struct OpenAPIController: Sendable {
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("openapi.yaml") { _, _ in
            let text = try String(contentsOf: try AppResources.openAPIDescription(), encoding: .utf8)
            return Response(
                status: .ok,
                headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }
}
