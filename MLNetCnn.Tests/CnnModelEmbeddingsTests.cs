using MLNetCnn.Architectures;
using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class CnnModelEmbeddingsTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow("lenet5", 84)]
    [DataRow("resnet20", 64)]
    public void TheEmbeddingIsWhatTheHeadTurnsIntoTheLogits(string architecture, int size)
    {
        var images = SyntheticImages.Bars(6, size: 32);
        using var model = CnnModel.Create(architecture, new ModelSpec(images.Shape, 4), InputNormalization.FromData(images), CPU, seed: 1);
        using var scope = NewDisposeScope();
        var batch = tensor(images.Pixels, [6, 1, 32, 32]);

        var embeddings = model.Embeddings(batch);

        Assert.AreEqual(size, model.EmbeddingSize);
        CollectionAssert.AreEqual(new long[] { 6, size }, embeddings.shape);
        var head = (nn.Module<Tensor, Tensor>)model.Network.named_modules().Single(m => m.name == ((IClassifierHead)model.Network).HeadLayers[0]).module;
        using var noGrad = no_grad();
        Assert.IsTrue(head.forward(embeddings).allclose(model.Logits(batch), rtol: 1e-4, atol: 1e-5), "the head's layer maps the embedding to the logits");
        var spans = new float[6 * size];
        model.PredictEmbeddings(images.Pixels, 6, spans);
        CollectionAssert.AreEqual(embeddings.data<float>().ToArray(), spans);
        Assert.IsFalse(embeddings[0].allclose(embeddings[1]), "different images, different embeddings");
    }
}
