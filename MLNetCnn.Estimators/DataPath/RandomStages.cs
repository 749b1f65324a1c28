using Microsoft.ML;
using MLNetCnn.Data;
using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>
/// Where the random (training-only) image stages in front of the trainer sit. The trainer caches the deterministic
/// data under them and applies their operations itself as it reads each epoch, so the expensive part (decoding) runs
/// once and every epoch still draws afresh.
/// </summary>
internal static class RandomStages
{
    /// <summary>The outcome: the data to cache and the operations to apply to it, or <see cref="Opaque"/>.</summary>
    /// <param name="Source">The labelled images under the random stages (the input itself when there are none).</param>
    /// <param name="Operations">The operations of the stages from the first random one to the trainer, in order.</param>
    /// <param name="Opaque">
    /// True when a stage the trainer does not know sits between a random stage and the trainer: the input must then be
    /// read afresh every epoch.
    /// </param>
    public sealed record Split(LabelledImages Source, IReadOnlyList<SeededImageOperation> Operations, bool Opaque);

    /// <summary>Walks down the library's image stages from the trainer's image column to the first column not drawn afresh per
    /// pass.</summary>
    public static Split Find(LabelledImages input)
    {
        var operations = new List<SeededImageOperation>();
        var view = input.View;
        string column = input.Image.Column.Name;
        while (view.Schema.GetColumnOrNull(column) is { } current && ImageOperationMapper.IsRandomPerPass(current))
        {
            if (view is not MappedDataView { Mapper: ImageOperationMapper mapper } mapped)
                return new Split(input, [], Opaque: true);
            if (mapper.OutputColumnName == column)
            {
                operations.Add(mapper.SeededOperation);
                column = mapper.InputColumnName;
            }
            view = mapped.Input;
        }
        if (operations.Count == 0)
            return new Split(input, [], Opaque: false);
        operations.Reverse();
        var image = ImageColumnBinding.Bind(view.Schema, column, default);
        var label = view.Schema.GetColumnOrNull(input.Label.Name);
        var shape = image.Shape;
        foreach (var operation in operations)
            shape = operation.Operation.OutputShape(shape);
        // The trainer may read an image column in another number of channels than the stages did: then read the view.
        if (label is null || label.Value.Type != input.Label.Type || shape != input.Image.Shape)
            return new Split(input, [], Opaque: true);
        return new Split(new LabelledImages(view, label.Value, image, input.ClassCount), operations, Opaque: false);
    }
}
