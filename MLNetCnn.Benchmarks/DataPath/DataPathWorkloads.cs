using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Training;
using TorchSharp;

namespace MLNetCnn.Benchmarks.DataPath;

/// <summary>
/// BenchmarkDotNet workloads of the data path, each over <see cref="Batches"/> batches of 64 Fashion-MNIST-sized
/// images: the trainer's read of an <see cref="IDataView"/> into memory and its conversion to the tensor cache (what
/// <c>Fit</c> does once, and every epoch when the input is augmented), the same read through training-only augmentation
/// stages, the batches taken from the cache, and training steps of LeNet-5 and ResNet-20 on in-memory images, so each
/// cost can be stated as a share of a step.
/// </summary>
public class DataPathWorkloads
{
    /// <summary>Batches per invocation; set by <see cref="DataPathBenchmark"/> before the run (smoke runs use 1).</summary>
    public static int Batches { get; set; } = 8;

    /// <summary>Images per batch.</summary>
    public static int BatchSize { get; set; } = 64;

    /// <summary>TorchSharp's threads.</summary>
    public static int Threads { get; set; } = 2;

    private static readonly ImageShape Shape = new(1, 28, 28);
    private const int Classes = 10;

    private ImageDataset _data = null!;
    private IDataView _plain = null!;
    private IDataView _cropAndFlip = null!;
    private IDataView _affine = null!;
    private CnnModel _lenet = null!;
    private CnnModel _resnet = null!;
    private CompactImageTensors _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        var mlContext = new MLContext(1);
        _data = SyntheticData.Create(Shape, Batches * BatchSize, Classes, seed: 1);
        var keyed = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label);
        var view = mlContext.Data.LoadFromImageDataset(_data);
        _plain = keyed.Fit(view).Transform(view);
        _cropAndFlip = keyed.Append(mlContext.Transforms.RandomCrop(28, 28, padding: 2)).Append(mlContext.Transforms.RandomHorizontalFlip()).Fit(view).Transform(view);
        _affine = keyed.Append(mlContext.Transforms.RandomAffine(degrees: 10, translate: 0.1, minScale: 0.9, maxScale: 1.1, shear: 5)).Fit(view).Transform(view);
        _cache = CompactImageTensors.From(_data);
        var normalization = InputNormalization.FromData(_data);
        _lenet = CnnModel.Create("lenet5", new ModelSpec(Shape, Classes), normalization, torch.CPU, seed: 1);
        _resnet = CnnModel.Create("resnet20", new ModelSpec(Shape, Classes), normalization, torch.CPU, seed: 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lenet.Dispose();
        _resnet.Dispose();
        _cache.Dispose();
    }

    /// <summary>The trainer's read of the plain view into an in-memory data set.</summary>
    [Benchmark]
    public ImageDataset ReadDataView() => Read(_plain);

    /// <summary>The trainer's conversion of the in-memory images to its tensor cache (bytes when the pixels are whole 0..255).</summary>
    [Benchmark]
    public void ConvertToTensors()
    {
        using var tensors = CompactImageTensors.From(_data);
    }

    /// <summary>Shuffled mini-batches taken from the tensor cache (part of each step on the CPU).</summary>
    [Benchmark]
    public void PrepareBatches()
    {
        using var scope = torch.NewDisposeScope();
        var order = torch.randperm(_data.Count);
        for (int batch = 0; batch < Batches; batch++)
            _cache.Batch(order.narrow(0, (long)batch * BatchSize, BatchSize));
    }

    /// <summary>The same read through RandomCrop (padding 2) and RandomHorizontalFlip.</summary>
    [Benchmark]
    public ImageDataset ReadCropAndFlip() => Read(_cropAndFlip);

    /// <summary>The same read through RandomAffine (10 degrees, 10 % shift, 0.9-1.1 zoom, 5 degrees shear).</summary>
    [Benchmark]
    public ImageDataset ReadAffine() => Read(_affine);

    /// <summary>Training steps of LeNet-5 on the in-memory images.</summary>
    [Benchmark]
    public void TrainLeNet5() => Train(_lenet);

    /// <summary>Training steps of ResNet-20 on the in-memory images.</summary>
    [Benchmark]
    public void TrainResNet20() => Train(_resnet);

    private static ImageDataset Read(IDataView view)
    {
        var label = view.Schema[CnnColumnNames.Label];
        var binding = ImageColumnBinding.Bind(view.Schema, CnnColumnNames.Features, new ImageShape(0, 0, 0));
        return TrainingDataReader.Read(view, label, binding, Classes);
    }

    private void Train(CnnModel model) =>
        new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 1 }).Train(model, _data);
}
