import Foundation
import HandModel
import Sinks

/// What the view's HTTP side serves: the page, the hand model's faces for both sides, and three.js
/// from Debian's libjs-three where it is installed (never a CDN).
public struct ViewAssets: Sendable {
    public static let defaultThreeDirectory = "/usr/share/javascript/three"
    let page: [UInt8]
    let facesJSON: [UInt8]
    /// Served path to file: three.js and its orbit controls.
    let scripts: [String: String]
    let right: HandModel
    let left: HandModel

    init(handModel: String, threeDirectory: String) throws {
        do {
            right = try HandModel.named(handModel, side: .right)
            left = try HandModel.named(handModel, side: .left)
        } catch {
            throw SinkError(sink: "view", message: "hand model: \(error)")
        }
        func faces(_ m: HandModel) -> String { m.faces.map { "\($0.x),\($0.y),\($0.z)" }.joined(separator: ",") }
        facesJSON = Array("{\"right\":[\(faces(right))],\"left\":[\(faces(left))]}".utf8)
        page = Array(ViewPage.html.utf8)
        scripts = ["/three/three.min.js": threeDirectory + "/three.min.js",
                   "/three/OrbitControls.js": threeDirectory + "/examples/js/controls/OrbitControls.js"]
    }
}
