"""The tiny transformers model both capture scripts train with the Trainer (capture-structured-fixtures.py and
capture-console-fixtures.py): one definition, so their logs come from the same model and data."""


def tiny_bert(seed):
    """transformers, a one-layer BERT classifier of 16 units initialised from `seed`, and a dataset class of random token
    ids drawn from one generator seeded with `seed` (the label: whether the first id is above 20 + `shift`, so a shifted
    set is a second evaluation domain)."""
    import torch
    import transformers
    from transformers import BertConfig, BertForSequenceClassification
    transformers.logging.set_verbosity_error()
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)

    class Data(torch.utils.data.Dataset):
        def __init__(self, n, shift=0):
            self.ids = torch.randint(3, 40, (n, 12), generator=g)
            self.labels = (self.ids[:, 0] > 20 + shift).long()

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return {'input_ids': self.ids[i], 'attention_mask': torch.ones(12, dtype=torch.long), 'labels': self.labels[i]}

    cfg = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, max_position_embeddings=16, num_labels=2)
    return transformers, BertForSequenceClassification(cfg), Data
