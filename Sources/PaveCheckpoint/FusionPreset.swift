import PaveFormat
import PaveModel
import PaveTorch

/// A released PAVE model-arguments class (`libs/utils/train_utils.py`): the fusion hyperparameters a
/// checkpoint's `config.json` does not carry, and the side channel the patch was trained on.
///
/// Real checkpoints store only tensors; widths and the layer count follow from their shapes, but heads and
/// RoPE do not — the PAVE loader takes them from the class named by `--model-arg-name`. `pavepkg pack
/// --preset NAME` does the same.
public struct FusionPreset: Sendable, Equatable {
    /// The model-arguments class name, e.g. `VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B`.
    public var name: String
    /// What the released scripts use it for.
    public var usedFor: String
    /// The fusion module it builds (tensor prefix left at the default; the importer sets it).
    public var fusion: FusionArchitecture
    /// The side channel of the patches trained with it.
    public var sideChannel: SideChannel
    /// Base model size the output width implies.
    public var baseModel: String

    /// All ten released classes (PAVE_FORWARD §7, BASE_MODELS side-channel table).
    public static let all: [FusionPreset] = {
        let video = SideChannel(kind: .video, encoder: "LanguageBind video", layout: .init(t: nil, h: 2, w: 2, c: 1024), rateHz: 2)
        let threeD = SideChannel(kind: .threeD, encoder: "LLaVA-3D 3D encoder", layout: .init(t: 32, h: 24, w: 24, c: 1024))
        let audio768 = SideChannel(kind: .audio, encoder: "768-d audio features", layout: .init(t: nil, h: 1, w: 1, c: 768))
        let imagebind = SideChannel(kind: .audio, encoder: "ImageBind audio", layout: .init(t: nil, h: 1, w: 1, c: 1024), rateHz: 1)
        let ov05 = "lmms-lab/llava-onevision-qwen2-0.5b-ov", ov7 = "lmms-lab/llava-onevision-qwen2-7b-ov"
        func p(_ suffix: String, _ usedFor: String, cin: Int, dout: Int, layers: Int = 2, rope: RoPEMode = .none, _ side: SideChannel) -> FusionPreset {
            FusionPreset(name: "VideoFeatModelArgumentsV5_1_" + suffix, usedFor: usedFor,
                         fusion: FusionArchitecture(inputDim: cin, outputDim: dout, heads: 4, layers: layers, rope: rope),
                         sideChannel: side, baseModel: dout == 896 ? ov05 : ov7)
        }
        return [
            p("2", "older 0.5B LanguageBind video (demo only)", cin: 1024, dout: 896, rope: .threeD, video),
            p("3", "0.5B LanguageBind video", cin: 1024, dout: 896, video),
            p("3_7B", "pave_v5_1_3_lora_7B (enhanced video QA)", cin: 1024, dout: 3584, video),
            p("3_3d", "pave_scanqa_v5_1_3_3d_lora (0.5B, 3D QA)", cin: 1024, dout: 896, threeD),
            p("3_3d_7B", "ScanQA / SQA3D 7B", cin: 1024, dout: 3584, threeD),
            p("3_audio", "0.5B, 768-d audio features", cin: 768, dout: 896, audio768),
            p("3_audio_7B", "7B, 768-d audio features", cin: 768, dout: 3584, audio768),
            p("3_audio_7B_3layers", "7B, 768-d audio, 3 layers", cin: 768, dout: 3584, layers: 3, audio768),
            p("3_audio_languagebind_7B", "pave_5_1_3_lora_avsd_7B_imagebind (AVSD audio-visual QA)", cin: 1024, dout: 3584, imagebind),
            p("3_audio_languagebind_7B_3layers", "pave_v5_1_3_lora_music_avqa7B_2epoch_imagebind_3layers (Music-AVQA)", cin: 1024, dout: 3584, layers: 3, imagebind),
        ]
    }()

    /// The preset named `name` (exact class name), or `nil`.
    public static func named(_ name: String) -> FusionPreset? { all.first { $0.name == name } }

    /// The preset as JSON (`pavepkg presets --json`).
    public func json() throws -> JSONValue {
        .object([
            "name": .string(name), "used_for": .string(usedFor), "base_model": .string(baseModel),
            "fusion": try JSONValue.from(fusion), "side_channel": try JSONValue.from(sideChannel),
        ])
    }
}
