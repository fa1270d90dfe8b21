import ExpenseCore
import Foundation
import Testing

@Suite struct IdentifierTests {
    @Test func textFormIsLowercaseAndParsesInAnyCase() throws {
        let id = try #require(UserID(uuidString: "6F1C1B8E-9F43-4F7B-9A0E-3C6E2D0B9A11"))
        #expect(id.description == "6f1c1b8e-9f43-4f7b-9a0e-3c6e2d0b9a11")
        #expect(UserID(uuidString: id.description) == id)
        #expect(UserID(uuidString: "not-a-uuid") == nil)
    }

    @Test func encodesAsALowercaseString() throws {
        let id = OrganizationID(UUID(uuidString: "6F1C1B8E-9F43-4F7B-9A0E-3C6E2D0B9A11")!)
        let json = String(decoding: try JSONEncoder().encode([id]), as: UTF8.self)
        #expect(json == #"["6f1c1b8e-9f43-4f7b-9a0e-3c6e2d0b9a11"]"#)
        #expect(try JSONDecoder().decode([OrganizationID].self, from: Data(json.utf8)) == [id])
    }
}
