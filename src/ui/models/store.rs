//! Models saved in the browser: an IndexedDB database `flowlab`, object store `models`, one record
//! per model keyed by the name the user gave it:
//! `{ name: string, info: string (ModelInfo as JSON), bytes: Uint8Array (the model file, as
//! `flowlab train --out` writes it), saved: number (ms since the epoch) }`.
//!
//! Plain `web-sys` IndexedDB wrapped in promises; every failure comes back as a readable
//! `Err(String)` (quota exceeded, storage disabled in private windows, …), never a panic.

use js_sys::{Array, Date, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use crate::worker::protocol::ModelInfo;
use crate::worker::web::js_error_message;

/// Database name.
pub const DB_NAME: &str = "flowlab";
/// Schema version (bump with an upgrade step when the record layout changes).
pub const DB_VERSION: u32 = 1;
/// Object store holding the models.
pub const STORE: &str = "models";

/// A model saved in the browser.
#[derive(Debug, Clone)]
pub struct SavedModel {
    /// The name it is saved under (unique: saving under an existing name replaces it).
    pub name: String,
    /// What the worker said about the model when it was saved; `None` if the record's JSON is
    /// unreadable (the bytes are still there and can be imported).
    pub info: Option<ModelInfo>,
    /// The model file.
    pub bytes: Uint8Array,
    /// When it was saved, in ms since the epoch.
    pub saved_ms: f64,
}

impl SavedModel {
    /// Size of the model file in bytes.
    pub fn size(&self) -> u64 {
        u64::from(self.bytes.length())
    }
}

/// Waits for an IndexedDB request; resolves to its `result`.
async fn request_done(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let req = request.clone();
        let on_error = Closure::once_into_js(move || {
            let message = match req.error() {
                Ok(Some(e)) => format!("{}: {}", e.name(), e.message()),
                _ => "unknown IndexedDB error".to_string(),
            };
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(js_error_message)?;
    request.result().map_err(js_error_message)
}

/// Waits until a transaction has committed (or says why it did not).
async fn transaction_done(tx: &IdbTransaction) -> Result<(), String> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let fail = |tx: IdbTransaction, reject: Function, what: &'static str| {
            Closure::once_into_js(move || {
                let message = match tx.error() {
                    Some(e) => format!("{}: {}", e.name(), e.message()),
                    None => what.to_string(),
                };
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
            })
        };
        let on_error = fail(tx.clone(), reject.clone(), "the transaction failed");
        let on_abort = fail(tx.clone(), reject, "the transaction was aborted");
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onerror(Some(on_error.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(js_error_message)
}

/// Opens (creating or upgrading) the database.
async fn open() -> Result<IdbDatabase, String> {
    let window = web_sys::window().ok_or("no window")?;
    let factory = window
        .indexed_db()
        .map_err(|e| format!("browser storage is not available: {}", js_error_message(e)))?
        .ok_or("browser storage (IndexedDB) is not available in this browser or window")?;
    let request = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|e| format!("cannot open browser storage: {}", js_error_message(e)))?;
    let req = request.clone();
    let on_upgrade = Closure::once_into_js(move || {
        if let Ok(db) = req.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let params = IdbObjectStoreParameters::new();
                params.set_key_path(&JsValue::from_str("name"));
                // An error here aborts the upgrade, which fails the open request: reported below.
                let _ = db.create_object_store_with_optional_parameters(STORE, &params);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db = request_done(&request)
        .await
        .map_err(|e| format!("cannot open browser storage: {e}"))?;
    Ok(db.unchecked_into())
}

fn get_field(record: &JsValue, key: &str) -> JsValue {
    Reflect::get(record, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn record_to_model(record: &JsValue) -> Option<SavedModel> {
    let name = get_field(record, "name").as_string()?;
    let bytes = get_field(record, "bytes")
        .dyn_into::<Uint8Array>()
        .ok()
        .or_else(|| {
            get_field(record, "bytes")
                .dyn_into::<js_sys::ArrayBuffer>()
                .ok()
                .map(|b| Uint8Array::new(&b))
        })?;
    let info = get_field(record, "info")
        .as_string()
        .and_then(|s| serde_json::from_str::<ModelInfo>(&s).ok());
    let saved_ms = get_field(record, "saved").as_f64().unwrap_or(0.0);
    Some(SavedModel {
        name,
        info,
        bytes,
        saved_ms,
    })
}

/// Every saved model, oldest first.
pub async fn list() -> Result<Vec<SavedModel>, String> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str(STORE).map_err(js_error_message)?;
        let store = tx.object_store(STORE).map_err(js_error_message)?;
        let records = request_done(&store.get_all().map_err(js_error_message)?).await?;
        let mut models: Vec<SavedModel> = Array::from(&records)
            .iter()
            .filter_map(|r| record_to_model(&r))
            .collect();
        models.sort_by(|a, b| a.saved_ms.total_cmp(&b.saved_ms));
        Ok(models)
    }
    .await;
    db.close();
    result.map_err(|e: String| format!("cannot read saved models: {e}"))
}

/// Saves a model file under `name` (replacing a model saved under the same name).
pub async fn save(name: &str, info: &ModelInfo, bytes: &Uint8Array) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("give the model a name to save it under".into());
    }
    let info_json = serde_json::to_string(info).map_err(|e| e.to_string())?;
    let record = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&record, &JsValue::from_str(k), v).map(|_| ());
    // A copy, so the stored bytes do not alias a buffer the page may transfer elsewhere.
    let copy = Uint8Array::new_with_length(bytes.length());
    copy.set(bytes, 0);
    set("name", &JsValue::from_str(name))
        .and_then(|_| set("info", &JsValue::from_str(&info_json)))
        .and_then(|_| set("bytes", &copy))
        .and_then(|_| set("saved", &JsValue::from_f64(Date::now())))
        .map_err(js_error_message)?;
    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(js_error_message)?;
        let store = tx.object_store(STORE).map_err(js_error_message)?;
        store.put(&record).map_err(js_error_message)?;
        transaction_done(&tx).await
    }
    .await;
    db.close();
    result.map_err(|e| format!("cannot save model {name:?} in the browser: {e}"))
}

/// Deletes the model saved under `name` (nothing happens if there is none).
pub async fn delete(name: &str) -> Result<(), String> {
    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(js_error_message)?;
        let store = tx.object_store(STORE).map_err(js_error_message)?;
        store
            .delete(&JsValue::from_str(name))
            .map_err(js_error_message)?;
        transaction_done(&tx).await
    }
    .await;
    db.close();
    result.map_err(|e| format!("cannot delete saved model {name:?}: {e}"))
}
