using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// Scores the images of one row source into class probabilities (averaged over the views of a test-time
/// augmentation) and serves them through the getters of the score and predicted-label columns. Buffers belong
/// to one cursor or row, so each is single-threaded.
/// </summary>
internal sealed class ScoringBuffer
{
    private readonly CnnModel _model;
    private readonly TestTimeAugmenter _augmenter;
    private readonly int _classCount;
    private readonly int _imageSize;
    private readonly float[] _pixels;
    private readonly float[] _probabilities;
    private readonly bool _scores;
    private readonly int _embeddingSize;
    private readonly float[] _embeddings;
    private int _current;

    /// <param name="model">The network.</param>
    /// <param name="augmentation">The views whose probabilities are averaged.</param>
    /// <param name="imageShape">The shape of the images read.</param>
    /// <param name="capacity">Images per batch.</param>
    /// <param name="columns">Which outputs to compute: probabilities, embeddings (of the image as it is), or both.</param>
    public ScoringBuffer(CnnModel model, TestTimeAugmentation augmentation, ImageShape imageShape, int capacity, ScoreColumns columns)
    {
        _scores = columns.Scores;
        _embeddingSize = columns.EmbeddingColumnName is null ? 0 : columns.EmbeddingSize;
        _embeddings = new float[capacity * _embeddingSize];
        _model = model;
        _augmenter = new TestTimeAugmenter(augmentation, imageShape, model.Spec.Input);
        _classCount = model.Spec.ClassCount;
        _imageSize = imageShape.Size;
        _pixels = new float[capacity * _imageSize];
        _probabilities = new float[capacity * _classCount];
        Capacity = capacity;
    }

    /// <summary>How many images one call to <see cref="Score"/> can take.</summary>
    public int Capacity { get; }

    /// <summary>Where image <paramref name="index"/> of the next batch goes.</summary>
    public Span<float> ImageSlot(int index) => _pixels.AsSpan(index * _imageSize, _imageSize);

    /// <summary>Runs the network on (the views of) the first <paramref name="count"/> image slots.</summary>
    public void Score(int count)
    {
        if (_scores)
            _augmenter.PredictProbabilities(_model, _pixels.AsSpan(0, count * _imageSize), count, _probabilities.AsSpan(0, count * _classCount));
        if (_embeddingSize > 0)
            _model.PredictEmbeddings(_pixels.AsSpan(0, count * _imageSize), count, _embeddings.AsSpan(0, count * _embeddingSize));
    }

    /// <summary>The getter of an output column.</summary>
    public Delegate Getter(OutputKind kind, Action ensureScored) => kind switch
    {
        OutputKind.Score => ScoreGetter(ensureScored),
        OutputKind.PredictedLabel => PredictedLabelGetter(ensureScored),
        _ => EmbeddingGetter(ensureScored),
    };

    /// <summary>Serves the selected image's embedding.</summary>
    public ValueGetter<VBuffer<float>> EmbeddingGetter(Action ensureScored) => (ref VBuffer<float> destination) =>
    {
        ensureScored();
        var editor = VBufferEditor.Create(ref destination, _embeddingSize);
        _embeddings.AsSpan(_current * _embeddingSize, _embeddingSize).CopyTo(editor.Values);
        destination = editor.Commit();
    };

    /// <summary>Makes image <paramref name="index"/> of the last batch the one the getters serve.</summary>
    public void Select(int index) => _current = index;

    /// <summary>Serves the selected image's probabilities.</summary>
    public ValueGetter<VBuffer<float>> ScoreGetter(Action ensureScored) => (ref VBuffer<float> destination) =>
    {
        ensureScored();
        var editor = VBufferEditor.Create(ref destination, _classCount);
        _probabilities.AsSpan(_current * _classCount, _classCount).CopyTo(editor.Values);
        destination = editor.Commit();
    };

    /// <summary>Serves the selected image's most probable class as a key (1-based).</summary>
    public ValueGetter<uint> PredictedLabelGetter(Action ensureScored) => (ref uint destination) =>
    {
        ensureScored();
        var scores = _probabilities.AsSpan(_current * _classCount, _classCount);
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
                best = i;
        }
        destination = (uint)best + 1;
    };
}
