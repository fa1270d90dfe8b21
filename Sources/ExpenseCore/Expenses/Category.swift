import Foundation

/// A category of expenses. Archived categories stay on old expenses and leave the pickers.
public struct Category: Sendable, Equatable {
    public var id: CategoryID
    public var name: String
    public var archivedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: CategoryID, name: String, archivedAt: Date?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.archivedAt = archivedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var isArchived: Bool { archivedAt != nil }

    public static let nameLimit = 60

    /// The categories a new organization starts with, fitting its kind: a school spends on
    /// teaching materials and field trips, a household on groceries and housing. Each list ends
    /// with "Other"; members rename, add and archive from there.
    public static func defaults(for kind: OrganizationKind) -> [String] {
        switch kind {
        case .business:
            [
                "Travel", "Meals", "Office supplies", "Software", "Utilities", "Marketing", "Professional services",
                "Other",
            ]
        case .cooperative: ["Travel", "Meals", "Supplies", "Equipment", "Rent", "Utilities", "Events", "Other"]
        case .agency:
            [
                "Travel", "Meals", "Office supplies", "Equipment", "IT and software", "Training", "Contracted services",
                "Other",
            ]
        case .school:
            [
                "Teaching materials", "Books", "Classroom supplies", "Field trips", "Sports", "Events", "Maintenance",
                "Other",
            ]
        case .personal: ["Groceries", "Meals", "Travel", "Housing", "Utilities", "Health", "Entertainment", "Other"]
        }
    }

    /// A trimmed name of 1 to 60 characters without control characters; `ValidationError` on `name`.
    public static func validName(_ raw: String) throws -> String {
        let name = ExpenseDraft.clean(raw)
        guard !name.isEmpty else { throw ValidationError("name", "Enter a name for the category.") }
        guard raw.unicodeScalars.count <= nameLimit else {
            throw ValidationError("name", "Keep the name under \(nameLimit) characters.")
        }
        return name
    }
}
