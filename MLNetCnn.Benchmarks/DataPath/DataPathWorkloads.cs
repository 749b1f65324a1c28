using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using MLNetCnn.Augmentation;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Training;
using TorchSharp;

namespace MLNetCnn.Benchmarks.DataPath;

/// <summary>
/// BenchmarkDotNet workloads of the data path, each over <see cref="Batches"/> batches of 64 Fashion-MNIST-sized
/// images: the trainer's first pass (an <see cref="IDataView"/> read into a record file, what <c>Fit</c> does once),
/// shuffled batches read back from the memory-mapped file (every epoch), the same batches through random augmentation
/// applied as they are read, and training steps of LeNet-5 and ResNet-20 on in-memory images, so each cost can be
/// stated as a share of a step.
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
    private LabelledImages _plain = null!;
    private string _folder = null!;
    private ImageRecordFile _cache = null!;
    private AugmentedEpochData _cropAndFlip = null!;
    private AugmentedEpochData _affine = null!;
    private CnnModel _lenet = null!;
    private CnnModel _resnet = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        var mlContext = new MLContext(1);
        _data = SyntheticData.Create(Shape, Batches * BatchSize, Classes, seed: 1);
        var keyed = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label);
        var view = mlContext.Data.LoadFromImageDataset(_data);
        var plain = keyed.Fit(view).Transform(view);
        _plain = new LabelledImages(plain, plain.Schema[CnnColumnNames.Label],
            ImageColumnBinding.Bind(plain.Schema, CnnColumnNames.Features, new ImageShape(0, 0, 0)), Classes);
        _folder = Directory.CreateTempSubdirectory("mlnetcnn-datapath-").FullName;
        _cache = WriteRecords();
        _cropAndFlip = new AugmentedEpochData(_cache, [new(new RandomCrop(28, 28, padding: 2), 1), new(new RandomFlip(FlipAxis.Horizontal), 2)]);
        _affine = new AugmentedEpochData(_cache, [new(new RandomAffine(degrees: 10, translate: 0.1, minScale: 0.9, maxScale: 1.1, shear: 5), 1)]);
        var normalization = InputNormalization.FromData(_data);
        _lenet = CnnModel.Create("lenet5", new ModelSpec(Shape, Classes), normalization, torch.CPU, seed: 1);
        _resnet = CnnModel.Create("resnet20", new ModelSpec(Shape, Classes), normalization, torch.CPU, seed: 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lenet.Dispose();
        _resnet.Dispose();
        _cropAndFlip.Dispose();
        _affine.Dispose();
        _cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The trainer's first pass: the view's rows decoded and written to a record file.</summary>
    [Benchmark]
    public void WriteRecordFile()
    {
        using var file = WriteRecords();
    }

    /// <summary>Shuffled mini-batches read from the memory-mapped record file (part of each step on the CPU).</summary>
    [Benchmark]
    public void ReadBatches() => ReadEpoch(_cache);

    /// <summary>The same batches through RandomCrop (padding 2) and RandomHorizontalFlip, applied as they are read.</summary>
    [Benchmark]
    public void ReadCropAndFlip() => ReadEpoch(_cropAndFlip);

    /// <summary>The same batches through RandomAffine (10 degrees, 10 % shift, 0.9-1.1 zoom, 5 degrees shear).</summary>
    [Benchmark]
    public void ReadAffine() => ReadEpoch(_affine);

    /// <summary>Training steps of LeNet-5 on the in-memory images.</summary>
    [Benchmark]
    public void TrainLeNet5() => Train(_lenet);

    /// <summary>Training steps of ResNet-20 on the in-memory images.</summary>
    [Benchmark]
    public void TrainResNet20() => Train(_resnet);

    private ImageRecordFile WriteRecords() =>
        TrainingData.Write(_plain, Path.Combine(_folder, $"{Guid.NewGuid():N}.records"), null, "benchmark", null, null, decodeWorkers: 1).Train;

    private static void ReadEpoch(IEpochData data)
    {
        var order = new ShuffledOrder(data.Count, seed: 1, stream: 1);
        var rows = new long[BatchSize];
        for (int batch = 0; batch < Batches; batch++)
        {
            using var scope = torch.NewDisposeScope();
            for (int i = 0; i < BatchSize; i++)
                rows[i] = order[(long)batch * BatchSize + i];
            data.ReadBatch(epoch: 1, rows);
        }
    }

    private void Train(CnnModel model) =>
        new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 1 }).Train(model, _data);
}
