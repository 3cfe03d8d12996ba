import Foundation
import HandModel
import XCTest

/// Parameters read from JSON are input: wrong counts are decoding errors.
final class HandParametersTests: XCTestCase {
    func testDecodingChecksCounts() throws {
        var p = HandParameters.rest
        p.pose[7] = 0.5
        let data = try JSONEncoder().encode(p)
        XCTAssertEqual(try JSONDecoder().decode(HandParameters.self, from: data), p)
        let short = #"{"globalOrient":[0,0,0],"pose":[1,2],"shape":[0,0,0,0,0,0,0,0,0,0],"transl":[0,0,0]}"#
        XCTAssertThrowsError(try JSONDecoder().decode(HandParameters.self, from: Data(short.utf8)))
        XCTAssertEqual(HandParameters(vector: p.vector), p)
    }
}
