//! Reading many upgrades on every core: each thread opens its own handle on
//! the repository (gix's thread-local one) with the caches tuned for records.

use super::Store;

/// Threads used at most: the work is inflating objects, and more threads
/// than cores only add memory.
const MAX_THREADS: usize = 4;
/// Below this many items one thread does the work: starting threads and
/// their caches costs more than it saves.
const MIN_PARALLEL: usize = 64;

/// `f` of every item, in item order, on up to four threads (one per core).
pub fn map<T, R>(store: &Store<'_>, items: &[T], f: impl Fn(&Store<'_>, &T) -> R + Sync) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    each(
        store,
        items,
        |store, n, item| (n, f(store, item)),
        |(n, r)| out[n] = Some(r),
    );
    out.into_iter()
        .map(|r| r.expect("every item was mapped"))
        .collect()
}

/// `f` of every item (with its index) on up to four threads (one per core),
/// each result handed to `take` on this thread as soon as it is made (in no
/// particular order), so results need not all be held at once.
pub fn each<T, R>(
    store: &Store<'_>,
    items: &[T],
    f: impl Fn(&Store<'_>, usize, &T) -> R + Sync,
    mut take: impl FnMut(R),
) where
    T: Sync,
    R: Send,
{
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(MAX_THREADS);
    if items.len() < MIN_PARALLEL || threads < 2 {
        for (n, item) in items.iter().enumerate() {
            take(f(store, n, item));
        }
        return;
    }
    let chunk = items.len().div_ceil(threads);
    let sync_repo = store.repo.clone().into_sync();
    let f = &f;
    let (send, receive) = std::sync::mpsc::sync_channel::<R>(256);
    std::thread::scope(|s| {
        for (k, part) in items.chunks(chunk).enumerate() {
            let sync_repo = sync_repo.clone();
            let send = send.clone();
            s.spawn(move || {
                let mut repo = sync_repo.to_thread_local();
                crate::repo::tune(&mut repo);
                let store = Store::new(&repo);
                for (i, item) in part.iter().enumerate() {
                    if send.send(f(&store, k * chunk + i, item)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send);
        for result in receive {
            take(result);
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init_bare(dir.path()).unwrap();
        let store = super::Store::new(&repo);
        let items: Vec<usize> = (0..1000).collect();
        let out = super::map(&store, &items, |_, n| n * 2);
        assert_eq!(out, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }
}
