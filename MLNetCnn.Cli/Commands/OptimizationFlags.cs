using System.CommandLine;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Commands;

/// <summary>How each step trains, shared by <c>train</c>, <c>lr-find</c> and <c>compare</c>: optimizer, regularisation, precision and batch feeding.</summary>
internal sealed class OptimizationFlags : TrainerFlags
{
    private static readonly IReadOnlyDictionary<string, TensorLayout> LayoutChoices = new Dictionary<string, TensorLayout>(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = TensorLayout.Auto,
        ["channels-first"] = TensorLayout.ChannelsFirst,
        ["channels-last"] = TensorLayout.ChannelsLast,
    };

    private readonly Option<OptimizerKind> _optimizer = new("--optimizer") { Description = "adam, adamw (decoupled weight decay) or sgd.", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.Optimizer };
    private readonly Option<double> _momentum = new("--momentum") { Description = "Momentum of sgd.", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.Momentum };
    private readonly Option<bool> _nesterov = new("--nesterov") { Description = "Nesterov momentum for sgd." };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "Weight decay (an L2 penalty for adam and sgd, decoupled for adamw)." };
    private readonly Option<double> _labelSmoothing = new("--label-smoothing") { Description = "Label smoothing of the cross-entropy, in [0, 1)." };
    private readonly Option<double> _clipGradNorm = new("--clip-grad-norm") { Description = "Clip the gradients' global L2 norm to this value (0: no clipping)." };
    private readonly Option<double> _mixUp = new("--mixup")
    {
        Description = "MixUp: blend each batch with a shuffled copy by a share drawn from Beta(alpha, alpha); the alpha, e.g. 0.2 (0: off).",
    };

    private readonly Option<double> _cutMix = new("--cutmix")
    {
        Description = "CutMix: paste a rectangle of a shuffled copy into each image, its area from Beta(alpha, alpha); the alpha, e.g. 1 (0: off).",
    };

    private readonly Option<double> _ema = new("--ema")
    {
        Description = "Validate and keep an exponential moving average of the weights with this decay per step, e.g. 0.999 (0: off).",
    };

    private readonly Option<MixedPrecision> _mixedPrecision = new("--mixed-precision") { Description = "none, bfloat16 or float16 passes on CUDA (no effect on the CPU).", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.MixedPrecision };
    private readonly Option<bool> _noPrefetch = new("--no-prefetch") { Description = "On CUDA, prepare each mini-batch when it is needed instead of on a background thread (the CPU always does)." };

    private readonly Option<string> _layout = new("--layout")
    {
        Description = TensorLayouts.Description,
        DefaultValueFactory = _ => LayoutChoices.First(c => c.Value == TensorLayouts.Default).Key,
    };

    protected override IEnumerable<Option> Flags => [_optimizer, _momentum, _nesterov, _weightDecay, _labelSmoothing, _clipGradNorm, _mixUp, _cutMix, _ema, _mixedPrecision,
        _noPrefetch, _layout];

    /// <inheritdoc/>
    public override void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options)
    {
        options.Optimizer = parse.GetValue(_optimizer);
        options.Momentum = parse.GetValue(_momentum);
        options.Nesterov = parse.GetValue(_nesterov);
        options.WeightDecay = parse.GetValue(_weightDecay);
        options.LabelSmoothing = parse.GetValue(_labelSmoothing);
        options.GradientClipNorm = parse.GetValue(_clipGradNorm);
        options.MixUpAlpha = parse.GetValue(_mixUp);
        options.CutMixAlpha = parse.GetValue(_cutMix);
        options.EmaDecay = parse.GetValue(_ema);
        options.MixedPrecision = parse.GetValue(_mixedPrecision);
        options.Prefetch = !parse.GetValue(_noPrefetch);
        string layout = parse.GetValue(_layout)!;
        options.Layout = LayoutChoices.TryGetValue(layout, out var choice)
            ? choice
            : throw new ArgumentException($"--layout must be one of {string.Join(", ", LayoutChoices.Keys)}, not '{layout}'.");
    }
}
