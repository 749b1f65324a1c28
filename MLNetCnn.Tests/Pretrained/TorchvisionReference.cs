using System.ComponentModel;
using System.Diagnostics;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Pretrained;

/// <summary>
/// torchvision models with seeded random weights, converted by <c>scripts/convert_torchvision.py</c>, and their logits
/// on one random 224x224 image: made once per test run by Debian's PyTorch (<c>apt-get install python3-torchvision</c>,
/// run by <c>/usr/bin/python3</c>) in a folder of <see cref="TestFolders"/>.
/// </summary>
public static class TorchvisionReference
{
    private const string Python = "/usr/bin/python3";
    private const string Script = "torchvision_reference.py";

    /// <summary>The torchvision models made, by their torchvision names.</summary>
    public static readonly IReadOnlyList<string> Models = ["resnet18", "resnet50", "vgg16_bn", "googlenet", "alexnet"];

    private static readonly Lazy<string> Made = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The converted weights file of a torchvision model.</summary>
    public static string WeightsFile(string model) => Path.Combine(Made.Value, $"{model}.weights");

    /// <summary>Another file the fixture wrote, such as <c>resnet18.pth</c> or <c>evil.pth</c> (see torchvision_reference.py).</summary>
    public static string File(string name) => Path.Combine(Made.Value, name);

    /// <summary>The image, 1x3x224x224 pixels from 0 to 255; or 1x3x160x192 with <paramref name="size"/> "160x192".</summary>
    public static Tensor Pixels(string size = "") => Tensor.Load(Path.Combine(Made.Value, size.Length == 0 ? "pixels.bin" : $"pixels-{size}.bin"));

    /// <summary>The logits torchvision's model gives for <see cref="Pixels"/> of that size, ImageNet-normalised.</summary>
    public static Tensor Logits(string model, string size = "") => Tensor.Load(Path.Combine(Made.Value, size.Length == 0 ? $"{model}.logits.bin" : $"{model}.logits-{size}.bin"));

    private static string Make()
    {
        string folder = TestFolders.Create();
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pretrained", Script));
        start.ArgumentList.Add(folder);
        foreach (var model in Models)
            start.ArgumentList.Add(model);
        const string Needs = $"These tests need PyTorch and torchvision for {Python}: apt-get install -y python3-torchvision.";
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{Script} failed with exit code {process.ExitCode}. {Needs}{Environment.NewLine}{error}{output.Result}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{Python} could not be started ({e.Message}). {Needs}", e);
        }
        return folder;
    }
}
