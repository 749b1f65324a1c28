using MLNetCnn.Architectures;
using static TorchSharp.torch;

namespace MLNetCnn;

public sealed partial class CnnModel
{
    // The capture of the thread asking for embeddings: the hook serves only it, so other threads score undisturbed.
    [ThreadStatic]
    private static EmbeddingCapture? t_capture;

    private readonly Lock _embeddingSetup = new();
    private nn.Module<Tensor, Tensor>? _headLayer;
    private int _embeddingSize;

    /// <summary>
    /// The length of <see cref="Embeddings(Tensor)"/>: the number of features the classifier head's first layer
    /// (<see cref="IClassifierHead.HeadLayers"/>) reads, such as 84 for LeNet-5 or 512 for ResNet-18.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network does not name its classifier head.</exception>
    public int EmbeddingSize
    {
        get
        {
            EnsureEmbeddingHook();
            return _embeddingSize;
        }
    }

    /// <summary>
    /// The penultimate features of a batch of images, as <c>(N, EmbeddingSize)</c> float32 on the model's device: what the
    /// classifier head's first layer reads, flattened (its input, captured by a forward pre-hook in evaluation mode). Close
    /// images have close embeddings, so they feed other learners (a linear model, nearest neighbours) and searches.
    /// </summary>
    /// <param name="images">An (N, C, H, W) tensor of unnormalised pixel values.</param>
    public Tensor Embeddings(Tensor images)
    {
        EnsureEmbeddingHook();
        return WhileAlive(() => Capture(images));
    }

    /// <summary>
    /// The embeddings of <paramref name="count"/> images laid out one after another in CHW order, written row by row into
    /// <paramref name="embeddings"/> (count x <see cref="EmbeddingSize"/>).
    /// </summary>
    public void PredictEmbeddings(ReadOnlySpan<float> images, int count, Span<float> embeddings) =>
        PredictRows(images, count, embeddings, EmbeddingSize, "embedding values", nameof(embeddings), Capture);

    private Tensor Capture(Tensor images)
    {
        using var noGrad = no_grad();
        var capture = new EmbeddingCapture(_headLayer!);
        t_capture = capture;
        try
        {
            Network.eval();
            using var logits = LogitsOf(images, fused: false);
            using var features = capture.Features ?? throw new InvalidOperationException($"The {Architecture} network's forward pass did not call its head layer.");
            return features.clone();
        }
        finally
        {
            t_capture = null;
        }
    }

    private void EnsureEmbeddingHook()
    {
        lock (_embeddingSetup)
        {
            if (_headLayer is not null)
                return;
            if (Network is not IClassifierHead head)
                throw new InvalidOperationException($"The '{Architecture}' network does not name its classifier head (IClassifierHead), so it has no embeddings.");
            string name = head.HeadLayers[0];
            var layer = Network.named_modules().FirstOrDefault(m => m.name == name).module as nn.Module<Tensor, Tensor>
                ?? throw new InvalidOperationException($"The '{Architecture}' network names its head layer '{name}', which it does not have.");
            layer.register_forward_pre_hook((self, input) =>
            {
                // Networks free their intermediates in dispose scopes of their own: keep a copy outside them.
                if (t_capture is { } capture && ReferenceEquals(capture.Layer, self))
                    capture.Features = input.flatten(1).clone().DetachFromDisposeScope();
                return input;
            });
            _headLayer = layer;
            using var scope = NewDisposeScope();
            _embeddingSize = (int)WhileAlive(() => Capture(zeros([1, Spec.Input.Channels, Spec.Input.Height, Spec.Input.Width]))).shape[1];
        }
    }

    private sealed class EmbeddingCapture(nn.Module<Tensor, Tensor> layer)
    {
        public nn.Module<Tensor, Tensor> Layer { get; } = layer;

        public Tensor? Features { get; set; }
    }
}
