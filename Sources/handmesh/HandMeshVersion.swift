import Records
/// What `handmesh --version` prints: the release and the record schema it writes.
enum HandMeshVersion {
    static let release = "0.4.0"
    static var text: String { "handmesh \(release) (records schema \(RecordSchema.version))" }
}
