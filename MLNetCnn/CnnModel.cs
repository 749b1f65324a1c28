using System.Security.Cryptography;
using System.Text;
using MLNetCnn.Architectures;
using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.IO;
using MLNetCnn.Pretrained;
using MLNetCnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn;

/// <summary>
/// A network of a registered architecture together with what it needs to score images: its spec, its
/// input normalisation and its device. Scoring runs in evaluation mode on batches and may be called from
/// several threads at once; <see cref="Dispose"/> waits for calls under way, and any call after it throws
/// <see cref="ObjectDisposedException"/>. Training goes through <see cref="ClassifierTrainer"/>.
/// </summary>
public sealed partial class CnnModel : IDisposable
{
    private const string FileSignature = "MLNetCnn.CnnModel";
    private const int FormatVersion = 2;
    private const int MaxOptions = 256;
    private const int MaxChannels = 4096;
    private const int MaxImageSide = 1 << 14;
    private const long MaxImageValues = 1L << 26;
    private const int MaxClasses = 1 << 20;

    // Scoring and saving hold it shared, Dispose exclusively: the network is never freed under a running call.
    private readonly ReaderWriterLockSlim _lifetime = new();
    private bool _disposed;
    private TensorLayout _layout = TensorLayouts.Default;
    private readonly Lock _scoringSetup = new();
    private nn.Module<Tensor, Tensor>? _fused;
    private bool _fusedMade;

    private CnnModel(string architecture, ModelSpec spec, InputNormalization normalization, nn.Module<Tensor, Tensor> network, Device device)
    {
        Architecture = architecture;
        Spec = spec;
        Normalization = normalization;
        Network = network;
        Device = device;
    }

    /// <summary>The registered architecture name (see <see cref="ModelZoo"/>).</summary>
    public string Architecture { get; }

    /// <summary>The input shape, class count and family options the network was built for.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The standardisation applied to every batch before the network.</summary>
    public InputNormalization Normalization { get; }

    /// <summary>
    /// The TorchSharp network; its output is logits of shape (batch, classes). Scoring in evaluation mode runs a copy of it with
    /// batch normalisation folded into the convolutions before it (made at the first scoring call); training does what it
    /// needs itself, but after changing these weights in another way call <see cref="WeightsChanged"/>.
    /// </summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The device the network lives on.</summary>
    public Device Device { get; }

    /// <summary>
    /// The memory layout scoring runs in (<see cref="TensorLayouts.Description"/>): with channels-last each batch, and the weights of
    /// the fused copy scoring uses, are laid out channels-last; <see cref="Network"/> stays as it is. Not saved with the model.
    /// </summary>
    public TensorLayout Layout
    {
        get => _layout;
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown tensor layout.");
            _layout = value;
            WeightsChanged();
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has freed the network.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Builds a freshly initialised network of a registered architecture on a device.</summary>
    /// <param name="architecture">A name from <see cref="ModelZoo.Names"/>.</param>
    /// <param name="spec">Input shape and class count.</param>
    /// <param name="normalization">Per-channel standardisation; its channel count must match the spec.</param>
    /// <param name="device">Where the network lives (see <see cref="Runtime.DeviceSelector"/>).</param>
    /// <param name="seed">Seeds the weight initialisation when given.</param>
    public static CnnModel Create(string architecture, ModelSpec spec, InputNormalization normalization, Device device, int? seed = null)
    {
        if (normalization.Mean.Length != spec.Input.Channels)
            throw new ArgumentException($"The normalisation has {normalization.Mean.Length} channels but the input has {spec.Input.Channels}.");
        if (seed is { } s)
            manual_seed(s);
        var network = ModelZoo.Create(architecture, spec);
        network.to(device);
        return new CnnModel(architecture, spec, normalization, network, device);
    }

    /// <summary>
    /// Builds the network that pretrained weights were made for and loads them, checking every tensor by name, shape
    /// and type; inputs are standardised as the weights expect. With <paramref name="classCount"/> the classifier head
    /// (<see cref="IClassifierHead"/>) is not loaded but freshly initialised for that many classes, as transfer
    /// learning starts; without it the model keeps the weights' head and scores their classes.
    /// </summary>
    /// <param name="weights">The weights file, read with <see cref="PretrainedWeights.Read"/>.</param>
    /// <param name="input">The shape of the images to score; its channels must be the weights'. Sizes other than the
    /// weights' own (224x224 for torchvision's) work where the architecture's layers keep their shapes.</param>
    /// <param name="classCount">Replace the head by a fresh one for this many classes; null keeps the weights' head.</param>
    /// <param name="device">Where the network lives.</param>
    /// <param name="pixelScale">The value of a full-intensity pixel in the images: 255 for 8-bit images, 1 for pixels scaled to 0..1.</param>
    /// <param name="seed">Seeds the initialisation of the new head when given.</param>
    /// <exception cref="InvalidDataException">The architecture is not registered, or the weights do not fit it for this input (every tensor at fault is named).</exception>
    /// <exception cref="InvalidOperationException">A head is to be replaced but the network does not name it (<see cref="IClassifierHead"/>).</exception>
    public static CnnModel FromPretrained(PretrainedWeights weights, ImageShape input, int? classCount, Device device, float pixelScale = 255, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (input.Channels != weights.Channels)
            throw new ArgumentException($"{weights.FilePath} holds weights for {weights.Channels}-channel images, but the input is {input}.", nameof(input));
        if (!ModelZoo.Contains(weights.Architecture))
            throw new InvalidDataException($"{weights.FilePath} holds weights for a '{weights.Architecture}' network, which is not registered here. Registered: {string.Join(", ", ModelZoo.Names)}.");
        var normalization = weights.Normalization(pixelScale);
        var spec = new ModelSpec(input, classCount ?? weights.ClassCount)
        {
            Options = new Dictionary<string, double>(weights.ArchitectureOptions, StringComparer.OrdinalIgnoreCase),
        };
        if (seed is { } s)
            manual_seed(s);
        var network = ModelZoo.Create(weights.Architecture, spec);
        try
        {
            IReadOnlyList<string> head = classCount is null ? [] : network is IClassifierHead classifier ? classifier.HeadLayers
                : throw new InvalidOperationException($"The '{weights.Architecture}' network does not name its classifier head (IClassifierHead), so it cannot be replaced for {classCount} classes.");
            weights.LoadInto(network, $"a '{weights.Architecture}' network for {input} inputs and {spec.ClassCount} classes", head);
            network.to(device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new CnnModel(weights.Architecture, spec, normalization, network, device);
    }

    /// <summary>
    /// Tells the model that <see cref="Network"/>'s weights were changed, so that scoring folds them afresh; waits for scoring
    /// calls under way. <see cref="ClassifierTrainer"/> calls it itself.
    /// </summary>
    public void WeightsChanged()
    {
        _lifetime.EnterWriteLock();
        try
        {
            _fused?.Dispose();
            _fused = null;
            _fusedMade = false;
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }

    /// <summary>Runs <paramref name="use"/> with the network scoring uses (see <see cref="Network"/>), which stays alive meanwhile.</summary>
    internal void UseScoringNetwork(Action<nn.Module<Tensor, Tensor>> use) => WhileAlive(() => use(ScoringNetwork()));

    /// <summary>Raw class scores (logits) for a batch of images already on any device.</summary>
    /// <param name="images">An (N, C, H, W) tensor of unnormalised pixel values.</param>
    public Tensor Logits(Tensor images) => WhileAlive(() => LogitsOf(images));

    /// <summary>
    /// Class probabilities for <paramref name="count"/> images laid out one after another in CHW order,
    /// written row by row into <paramref name="probabilities"/> (count x classes).
    /// </summary>
    public void PredictProbabilities(ReadOnlySpan<float> images, int count, Span<float> probabilities) =>
        PredictRows(images, count, probabilities, Spec.ClassCount, "probabilities", nameof(probabilities),
            batch => nn.functional.softmax(LogitsOf(batch), 1));

    /// <summary>
    /// Runs <paramref name="compute"/> on <paramref name="count"/> CHW images in evaluation mode and writes its
    /// <paramref name="rowLength"/> values per image into <paramref name="output"/>.
    /// </summary>
    private void PredictRows(ReadOnlySpan<float> images, int count, Span<float> output, int rowLength, string what, string outputName,
        Func<Tensor, Tensor> compute)
    {
        var input = Spec.Input;
        if (images.Length != (long)count * input.Size)
            throw new ArgumentException($"{count} images of shape {input} need {(long)count * input.Size} values; got {images.Length}.", nameof(images));
        if (output.Length != (long)count * rowLength)
            throw new ArgumentException($"{count} images need room for {(long)count * rowLength} {what}; got {output.Length}.", outputName);
        if (count == 0)
            return;
        var pixels = images.ToArray();
        var result = WhileAlive(() =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Network.eval();
            return compute(tensor(pixels, [count, input.Channels, input.Height, input.Width])).cpu().data<float>().ToArray();
        });
        result.CopyTo(output);
    }

    /// <summary>
    /// Writes the architecture, spec, normalisation and weights, followed by their SHA-256 so that
    /// <see cref="Load"/> detects any change to them.
    /// </summary>
    public void Save(Stream stream) => WhileAlive(() =>
    {
        using (var header = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            header.Write(FileSignature);
            header.Write(FormatVersion);
        }
        using var hashing = new HashingStream(stream, writing: true);
        using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Architecture);
            writer.Write(Spec.Input.Channels);
            writer.Write(Spec.Input.Height);
            writer.Write(Spec.Input.Width);
            writer.Write(Spec.ClassCount);
            writer.Write(Spec.Options.Count);
            foreach (var (name, value) in Spec.Options)
            {
                writer.Write(name);
                writer.Write(value);
            }
            foreach (var value in Normalization.Mean.Concat(Normalization.Std))
                writer.Write(value);
            Network.save(writer);
        }
        stream.Write(hashing.Digest());
    });

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. Nothing in the stream names a type: the architecture must be
    /// registered in <see cref="ModelZoo"/>, every count and size is bounded, every weight tensor's name, dtype and
    /// shape is checked against the network built from the stored spec before it is read, and the SHA-256 of
    /// the whole content must match.
    /// </summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="device">Where to put the network.</param>
    /// <param name="source">Names the stream in error messages, for example a file path.</param>
    /// <exception cref="InvalidDataException">The stream is not a model, is truncated or damaged, or its weights do not fit.</exception>
    public static CnnModel Load(Stream stream, Device device, string source = "model")
    {
        nn.Module<Tensor, Tensor>? network = null;
        try
        {
            using (var header = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true))
            {
                if (header.ReadString() != FileSignature)
                    throw new InvalidDataException($"{source} is not an MLNetCnn model.");
                int version = header.ReadInt32();
                if (version != FormatVersion)
                    throw new InvalidDataException($"{source} has model format {version}; this library reads format {FormatVersion}.");
            }
            using var hashing = new HashingStream(stream, writing: false);
            using var reader = new BinaryReader(hashing, Encoding.UTF8, leaveOpen: true);
            string architecture = reader.ReadString();
            var shape = new ImageShape(
                ReadBounded(reader, 1, MaxChannels, "channels", source),
                ReadBounded(reader, 1, MaxImageSide, "height", source),
                ReadBounded(reader, 1, MaxImageSide, "width", source));
            if ((long)shape.Channels * shape.Height * shape.Width > MaxImageValues)
                throw new InvalidDataException($"{source} declares inputs of {shape}, more than {MaxImageValues} values.");
            int classCount = ReadBounded(reader, 2, MaxClasses, "class count", source);
            int optionCount = ReadBounded(reader, 0, MaxOptions, "option count", source);
            var options = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < optionCount; i++)
                options[reader.ReadString()] = reader.ReadDouble();
            var mean = ReadFloats(reader, shape.Channels);
            var std = ReadFloats(reader, shape.Channels);
            if (!ModelZoo.Contains(architecture))
                throw new InvalidDataException($"{source} holds a '{architecture}' network, which is not registered here. Registered: {string.Join(", ", ModelZoo.Names)}.");

            var spec = new ModelSpec(shape, classCount) { Options = options };
            network = ModelZoo.Create(architecture, spec);
            try
            {
                StateDictReader.Load(network, reader);
            }
            catch (WeightMismatchException e)
            {
                throw new InvalidDataException($"The weights in {source} do not fit a '{architecture}' network for {shape} inputs and {classCount} classes: {e.Message}.");
            }
            var stored = new byte[HashingStream.DigestLength];
            stream.ReadExactly(stored);
            if (!CryptographicOperations.FixedTimeEquals(stored, hashing.Digest()))
                throw new InvalidDataException($"{source} is damaged: its content does not match the checksum saved with it.");
            network.to(device);
            var model = new CnnModel(architecture, spec, new InputNormalization(mean, std), network, device);
            network = null;
            return model;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"{source} is truncated or damaged: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source} holds a model that cannot be built: {e.Message}", e);
        }
        finally
        {
            network?.Dispose();
        }
    }

    /// <summary>
    /// Frees the network's native memory once the calls under way have finished. Scoring, saving or computing
    /// logits afterwards throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        _lifetime.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            _fused?.Dispose();
            Network.Dispose();
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }

    /// <param name="images">The batch.</param>
    /// <param name="fused">Score with the fused copy in evaluation mode (<see cref="Network"/>); false: with the network itself.</param>
    private Tensor LogitsOf(Tensor images, bool fused = true)
    {
        var network = fused ? ScoringNetwork() : Network;
        using var onDevice = images.to(Device);
        using var normalized = Normalization.Apply(onDevice);
        if (!_layout.UsesChannelsLast(Architecture, Device) || TensorLayouts.IsChannelsLast(normalized))
            return network.forward(normalized);
        using var channelsLast = TensorLayouts.ToChannelsLast(normalized);
        return network.forward(channelsLast);
    }

    /// <summary>The fused copy when the network is in evaluation mode and has batch norms to fold, else the network; under the lifetime lock.</summary>
    private nn.Module<Tensor, Tensor> ScoringNetwork()
    {
        if (Network.training)
            return Network;
        lock (_scoringSetup)
        {
            if (!_fusedMade)
            {
                _fused = BatchNormFolding.FoldedCopy(Network, () => ModelZoo.Create(Architecture, Spec), Architecture, Spec, Device);
                if (_fused is not null && _layout.UsesChannelsLast(Architecture, Device))
                    TensorLayouts.Convert(_fused, channelsLast: true);
                _fusedMade = true;
            }
            return _fused ?? Network;
        }
    }

    private void WhileAlive(Action use) => WhileAlive(() =>
    {
        use();
        return true;
    });

    private T WhileAlive<T>(Func<T> use)
    {
        _lifetime.EnterReadLock();
        try
        {
            if (_disposed)
                throw new ObjectDisposedException(nameof(CnnModel), $"This {Architecture} model was disposed, which freed its network; load or train it again.");
            return use();
        }
        finally
        {
            _lifetime.ExitReadLock();
        }
    }

    private static int ReadBounded(BinaryReader reader, int min, int max, string what, string source)
    {
        int value = reader.ReadInt32();
        if (value < min || value > max)
            throw new InvalidDataException($"{source} declares {what} {value}, outside [{min}, {max}].");
        return value;
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = reader.ReadSingle();
        return values;
    }
}
