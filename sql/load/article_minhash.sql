-- Store the MinHash signatures the extraction workers computed for one batch's articles
-- (frame batch_article_minhash); the post-load hook computes only the ones missing.
insert or ignore into core.article_minhash by name
select doc_id, method, shingle_count, hashvalues::ubigint[] as hashvalues
from batch_article_minhash;
