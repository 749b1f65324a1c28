using Microsoft.ML.OnnxRuntime;

namespace MLNetCnn.Tests.Onnx;

/// <summary>Scores an exported model with ONNX Runtime directly, as an application without TorchSharp would.</summary>
internal static class OnnxRuntimeScoring
{
    /// <summary>The first output of the model for one float input of the given shape.</summary>
    public static float[] Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputNames.Single()], [value], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
