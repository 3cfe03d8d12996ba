/// One SSD anchor, in coordinates normalized to the detector's input tensor.
public struct Anchor: Sendable, Equatable {
    public var xCenter: Float
    public var yCenter: Float
    public var width: Float
    public var height: Float

    public init(xCenter: Float, yCenter: Float, width: Float, height: Float) {
        self.xCenter = xCenter
        self.yCenter = yCenter
        self.width = width
        self.height = height
    }
}

/// The options of MediaPipe's `SsdAnchorsCalculator`
/// (mediapipe/calculators/tflite/ssd_anchors_calculator.proto), the subset the hand pipeline uses.
public struct SSDAnchorOptions: Sendable, Equatable {
    public var inputWidth: Int
    public var inputHeight: Int
    public var minScale: Float
    public var maxScale: Float
    public var offsetX: Float
    public var offsetY: Float
    public var strides: [Int]
    public var aspectRatios: [Float]
    /// Adds one more anchor per location with the geometric mean of this and the next layer's scale;
    /// the proto's default is 1.0.
    public var interpolatedScaleAspectRatio: Float
    /// All anchors get width = height = 1, so box sizes come straight from the regressor.
    public var fixedAnchorSize: Bool

    public init(inputWidth: Int, inputHeight: Int, minScale: Float, maxScale: Float,
                offsetX: Float, offsetY: Float, strides: [Int], aspectRatios: [Float],
                interpolatedScaleAspectRatio: Float = 1.0, fixedAnchorSize: Bool) {
        self.inputWidth = inputWidth
        self.inputHeight = inputHeight
        self.minScale = minScale
        self.maxScale = maxScale
        self.offsetX = offsetX
        self.offsetY = offsetY
        self.strides = strides
        self.aspectRatios = aspectRatios
        self.interpolatedScaleAspectRatio = interpolatedScaleAspectRatio
        self.fixedAnchorSize = fixedAnchorSize
    }

    /// The palm detector's anchors: mediapipe/modules/palm_detection/palm_detection_cpu.pbtxt,
    /// node SsdAnchorsCalculator (num_layers 4, min_scale 0.1484375, max_scale 0.75,
    /// input 192x192, anchor_offset 0.5, strides 8 16 16 16, aspect_ratios 1.0, fixed_anchor_size).
    public static let palmDetection = SSDAnchorOptions(
        inputWidth: 192, inputHeight: 192, minScale: 0.1484375, maxScale: 0.75,
        offsetX: 0.5, offsetY: 0.5, strides: [8, 16, 16, 16], aspectRatios: [1.0],
        fixedAnchorSize: true)
}

/// SSD anchor generation, following `SsdAnchorsCalculator::GenerateAnchors`: consecutive layers with
/// the same stride share one feature map, and their anchors are interleaved per grid location.
public enum SSDAnchors {
    public static func generate(_ options: SSDAnchorOptions) -> [Anchor] {
        var anchors: [Anchor] = []
        let layerCount = options.strides.count
        var layer = 0
        while layer < layerCount {
            var widths: [Float] = []
            var heights: [Float] = []
            var last = layer
            while last < layerCount && options.strides[last] == options.strides[layer] {
                let scale = Self.scale(options, layer: last, layers: layerCount)
                var scales: [Float] = []
                var ratios: [Float] = []
                for ratio in options.aspectRatios {
                    ratios.append(ratio)
                    scales.append(scale)
                }
                if options.interpolatedScaleAspectRatio > 0 {
                    let next: Float = last == layerCount - 1 ? 1.0 : Self.scale(options, layer: last + 1, layers: layerCount)
                    scales.append((scale * next).squareRoot())
                    ratios.append(options.interpolatedScaleAspectRatio)
                }
                for (s, r) in zip(scales, ratios) {
                    heights.append(s / r.squareRoot())
                    widths.append(s * r.squareRoot())
                }
                last += 1
            }
            let stride = Float(options.strides[layer])
            let rows = Int((Float(options.inputHeight) / stride).rounded(.up))
            let columns = Int((Float(options.inputWidth) / stride).rounded(.up))
            for y in 0..<rows {
                for x in 0..<columns {
                    for k in widths.indices {
                        anchors.append(Anchor(
                            xCenter: (Float(x) + options.offsetX) / Float(columns),
                            yCenter: (Float(y) + options.offsetY) / Float(rows),
                            width: options.fixedAnchorSize ? 1 : widths[k],
                            height: options.fixedAnchorSize ? 1 : heights[k]))
                    }
                }
            }
            layer = last
        }
        return anchors
    }

    /// Linear interpolation between min and max scale over the layers (`CalculateScale`).
    static func scale(_ options: SSDAnchorOptions, layer: Int, layers: Int) -> Float {
        if layers == 1 { return (options.minScale + options.maxScale) / 2 }
        return options.minScale + (options.maxScale - options.minScale) * Float(layer) / Float(layers - 1)
    }
}
